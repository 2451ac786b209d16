"""Business verbs for people and places."""

from __future__ import annotations

import difflib

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from voc import audit
from voc.errors import DomainError
from voc.models import Site, Team, User

SITE_ROLES = {User.Role.AGENT, User.Role.LEAD}


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str,
    site: Site | None = None,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    department: str = "",
    language: str = "",
    created_by: User | None = None,
    validate: bool = True,
) -> User:
    """Create a person with a role; agents and leads need a site. Admins get Django admin."""
    username = username.strip()
    if not username:
        raise DomainError(_("A username is required."), field="username")
    if role not in User.Role.values:
        raise DomainError(
            _("Unknown role %(role)s; choose one of %(roles)s.") % {"role": role, "roles": ", ".join(User.Role.values)},
            field="role",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("The username %(username)s is taken.") % {"username": username}, field="username")
    if role in SITE_ROLES and site is None:
        raise DomainError(_("Agents and leads belong to a site; give one."), field="site")
    if team is not None and team.site_id != getattr(site, "pk", None):
        raise DomainError(_("The team must belong to the person's site."), field="team")
    user = User(
        username=username,
        role=role,
        site=site,
        team=team,
        email=email,
        first_name=first_name,
        last_name=last_name,
        department=department,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    if language:
        user.language = language
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit.record(actor=created_by, action="user.created", obj=user, details={"role": role})
    return user


def set_language(*, user: User, language: str) -> None:
    """Remember the UI language a person chose."""
    if language not in dict(User._meta.get_field("language").choices or []):
        raise DomainError(_("Unknown language."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def get_or_create_site(*, name: str, country: str = Site.Country.SPAIN, city: str = "") -> Site:
    """The site called ``name``, created when it does not exist yet."""
    name = name.strip()
    if not name:
        raise DomainError(_("A site needs a name."), field="site")
    site, _created = Site.objects.get_or_create(name=name, defaults={"country": country, "city": city or name})
    return site


def site_named(*, name: str, create: bool = False) -> tuple[Site, bool]:
    """The site called ``name`` (any case) and whether it was created now.

    A name no site has is refused with the existing names (the nearest first), so a typo cannot
    quietly open a new contact centre; ``create`` makes it. On an installation with no site yet
    there is nothing to mistype, so the first one is created without asking."""
    name = name.strip()
    if not name:
        raise DomainError(_("A site needs a name."), field="site")
    site = Site.objects.filter(name__iexact=name).first()
    if site is not None:
        return site, False
    existing = list(Site.objects.order_by("name").values_list("name", flat=True))
    if create or not existing:
        return get_or_create_site(name=name), True
    nearest = difflib.get_close_matches(name, existing, n=1, cutoff=0.6)
    names = nearest + [other for other in existing if other not in nearest]
    raise DomainError(
        _("There is no site called “%(name)s”. Existing sites: %(sites)s. To open a new site, add --create-site.")
        % {"name": name, "sites": ", ".join(names)},
        field="site",
    )
