from django.http import HttpRequest

from voc.roles import capabilities


def navigation(request: HttpRequest) -> dict[str, object]:
    """``caps``: the set of capability names the current person has, for menus and buttons."""
    return {"caps": {str(c) for c in capabilities(getattr(request, "user", None))}}
