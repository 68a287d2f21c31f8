"""Request dependencies: the wired Gallra, and the caller's principal from its bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import access_log
from api.bootstrap import Gallra
from api.tokens import Principal, Role, TokenError
from retention.sealing import actor

_bearer = HTTPBearer(auto_error=False, description="a token from `gallra token`")


def get_gallra(request: Request) -> Gallra:
    gallra: Gallra = request.app.state.gallra
    return gallra


GallraDep = Annotated[Gallra, Depends(get_gallra)]


def get_principal(
    gallra: GallraDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    try:
        principal = gallra.tokens.verify(credentials.credentials)
    except TokenError as e:
        raise HTTPException(401, str(e), {"WWW-Authenticate": "Bearer"}) from None
    if principal.role == Role.KIOSK and not _paired(gallra, principal):
        raise HTTPException(401, str(TokenError("invalid token")), {"WWW-Authenticate": "Bearer"})
    collector = access_log.current()
    if collector is not None:  # mutate the request's collector; never set the variable here
        collector.note_principal(str(principal.role), principal.subject)
    acting = actor.current()
    if acting is not None:  # who the events this request writes record (a kiosk: its device)
        acting.role, acting.actor_id = str(principal.role), principal.subject or principal.device
    return principal


def _paired(gallra: Gallra, principal: Principal) -> bool:
    """A kiosk token counts only while its device is paired, to the token's department; asked
    of the store on every request, so unpairing revokes at once."""
    if principal.device is None or principal.department is None:
        return False
    return gallra.app.kiosk_paired(principal.device) == principal.department


def require(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency admitting only the given roles (admin is never implied)."""

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, f"the {principal.role} role may not do this")
        return principal

    return check


Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
AdminOrStaff = Annotated[Principal, Depends(require(Role.ADMIN, Role.STAFF))]
Carers = Annotated[Principal, Depends(require(Role.STAFF, Role.GUARDIAN))]  # daily care
People = Annotated[Principal, Depends(require(Role.ADMIN, Role.STAFF, Role.GUARDIAN))]
Attendance = Annotated[Principal, Depends(require(Role.STAFF, Role.KIOSK))]
Kitchen = Annotated[Principal, Depends(require(Role.ADMIN, Role.KITCHEN))]
Statistician = Annotated[Principal, Depends(require(Role.ADMIN, Role.STATISTICIAN))]
Auditor = Annotated[Principal, Depends(require(Role.ADMIN, Role.AUDITOR))]
AuditorOnly = Annotated[Principal, Depends(require(Role.AUDITOR))]  # replays: not admin
AnyRole = Annotated[Principal, Depends(get_principal)]
