"""The province's links to the national platforms (top floor: imports the apps below it).

Each platform has its own app beside this file (the national public-service portal, its payment
platform, the national document axis, the national e-ID) and a simulator of our own, written from
the platform's published description and run as a separate process (:mod:`national.simkit`).
"""
