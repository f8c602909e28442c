"""A VNeID simulator: the national sign-on (Hệ thống xác thực của Cổng DVCQG, a WSO2 Identity Server
at ``xacthuc.dichvucong.gov.vn`` with ``/oauth2/authorize`` and ``/oauth2/token``, VNeID behind it)
as an OpenID Connect provider of our own, for the tests and the demo.

It is a separate, tiny Django project (its own settings and SQLite database) run as a separate
process on a loopback port (:mod:`.serve`), built on django-oauth-toolkit in OIDC mode: authorization
code, PKCE S256 required, RS256 id_tokens, JWKS, userinfo, RP-initiated logout. It issues the claims
the national sign-on returns (``SoDinhDanh``, ``HoVaTen``, ``NgayThangNamSinh``, ``LoaiTaiKhoan``,
``loAs``, ``IAL``, ``TechID``, ...; see ``docs/vneid-oidc.md`` for the sources) for a few demo
identities (:mod:`.identities`).

A real provider cannot be made to sign a bad token, so this one has a fault switch: ``POST
/_sim/faults`` (with the control token) arms faults for the next token(s), e.g. ``alg_none``,
``wrong_key``, ``hs256_pubkey``, ``wrong_iss``, ``wrong_aud``, ``expired``, ``wrong_nonce``,
``tampered``, ``userinfo_sub``.
"""
