"""Levels, kinds and lineage event kinds of the unit hierarchy."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.IntegerChoices):
    NATION = 0, _("Nation")
    PROVINCE = 1, _("Province")
    DISTRICT = 2, _("District")
    COMMUNE = 3, _("Commune level")
    RESIDENTIAL = 4, _("Residential group")


class Kind(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    CENTRAL_CITY = "central_city", _("Centrally-run city")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    RURAL_DISTRICT = "rural_district", _("Rural district")
    TOWN = "town", _("Town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")
    VILLAGE = "village", _("Village")


KIND_LEVEL: dict[str, int] = {
    Kind.NATION: Level.NATION,
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CENTRAL_CITY: Level.PROVINCE,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.RURAL_DISTRICT: Level.DISTRICT,
    Kind.TOWN: Level.DISTRICT,
    Kind.PROVINCIAL_CITY: Level.DISTRICT,
    Kind.WARD: Level.COMMUNE,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.SPECIAL_ZONE: Level.COMMUNE,
    Kind.RESIDENTIAL_GROUP: Level.RESIDENTIAL,
    Kind.VILLAGE: Level.RESIDENTIAL,
}

# Commune-level kinds: the police units the criteria are applied to.
COMMUNE_LEVEL_KINDS = (Kind.WARD, Kind.COMMUNE, Kind.TOWNSHIP, Kind.SPECIAL_ZONE)


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class EventKind(models.TextChoices):
    CREATE = "create", pgettext_lazy("lineage event", "Created")
    RENAME = "rename", _("Renamed")
    REPARENT = "reparent", _("Moved to another parent")
    CHANGE_KIND = "change_kind", _("Kind changed")
    CHANGE_STATUS = "change_status", _("Status changed")
    MERGE = "merge", _("Merged")
    SPLIT = "split", _("Split")
    DISSOLVE = "dissolve", _("Dissolved")
