"""A one-route simulator for the kit's own tests."""

from national.simkit import Request, Response, Simulator, route


class EchoSimulator(Simulator):
    name = "echo"

    def initial_state(self) -> dict:
        return {"count": 0}

    @route("POST", "/echo")
    def echo(self, request: Request) -> Response:
        blocked = self.apply_builtin(self.take_fault("echo"))
        if blocked is not None:
            return blocked
        with self.lock:
            self.state["count"] += 1
            self.save()
            return Response(200, {"echo": request.json(), "count": self.state["count"]})
