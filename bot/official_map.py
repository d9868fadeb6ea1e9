"""Vietnam's official map since 1 July 2025 (34 provinces, 3,321 communes) as domain areas.

The national list comes from the optional `vietnam-provinces` package (GPL-3.0, installed with
the `vn-map` extra). Only `load_official_map` imports it, and only when called; the rest,
`official_areas` above all, works on plain records and needs no package. Hamlets are in no
national list: officers add them later, under the communes loaded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.areas import COMMUNE, PROVINCE, Area
from bot.domain.text import normalize_text

INSTALL_HINT = "pip install 'hoctap-bot[vn-map]'"
# The package names cities "Thành phố Huế" and communes "Xã ...", but provinces bare
# ("Cao Bằng"); areas carry their kind, as in "Xã An, Tỉnh Cao Bằng".
_PROVINCE_KIND = "tỉnh"
_PROVINCE_PREFIX = "Tỉnh"


@dataclass(frozen=True)
class OfficialProvince:
    """A province or centrally-run city: its official number, name and kind."""

    number: int
    name: str
    kind: str


@dataclass(frozen=True)
class OfficialCommune:
    """A commune, ward or special zone (xã, phường, đặc khu) and its province's number."""

    number: int
    name: str
    province_number: int


@dataclass(frozen=True)
class OfficialMap:
    """The whole national list, and where it came from (package and data version)."""

    provinces: tuple[OfficialProvince, ...]
    communes: tuple[OfficialCommune, ...]
    source: str


class OfficialMapMissing(Exception):
    """The `vn-map` extra is not installed."""


class UnknownProvince(ValueError):
    """A province code that is not in the official list; the message lists the valid ones."""


def load_official_map() -> OfficialMap:
    """Read the national list from `vietnam-provinces`; raise OfficialMapMissing without it."""
    try:
        import vietnam_provinces
        from vietnam_provinces import Province, Ward
    except ImportError as error:
        raise OfficialMapMissing(INSTALL_HINT) from error
    provinces = tuple(
        OfficialProvince(int(p.code), p.name, p.division_type.value) for p in Province.iter_all()
    )
    communes = tuple(
        OfficialCommune(int(w.code), w.name, int(w.province_code)) for w in Ward.iter_all()
    )
    source = (
        f"vietnam-provinces {vietnam_provinces.__version__}, "
        f"data of {vietnam_provinces.__data_version__}"
    )
    return OfficialMap(provinces, communes, source)


def official_areas(
    provinces: Iterable[OfficialProvince],
    communes: Iterable[OfficialCommune],
    province: str | None = None,
) -> list[Area]:
    """Return the provinces, then the communes, as areas with the official codes.

    Codes are the official numbers written as the General Statistics Office does: two digits
    for a province ("01"), five for a commune ("00070"). With `province` ("01" or "1"), only
    that province and its communes; an unknown code raises UnknownProvince.
    """
    chosen = _chosen(list(provinces), province)
    numbers = {p.number for p in chosen}
    return [_province_area(p) for p in chosen] + [
        _commune_area(c) for c in communes if c.province_number in numbers
    ]


def province_code(number: int) -> str:
    """The official code of a province: "01"."""
    return f"{number:02d}"


def commune_code(number: int) -> str:
    """The official code of a commune: "00070"."""
    return f"{number:05d}"


def _chosen(provinces: Sequence[OfficialProvince], code: str | None) -> list[OfficialProvince]:
    """All provinces, or the one `code` names."""
    if code is None:
        return list(provinces)
    wanted = code.strip()
    found = [p for p in provinces if wanted.isdigit() and p.number == int(wanted)]
    if not found:
        known = ", ".join(f"{province_code(p.number)} {_province_name(p)}" for p in provinces)
        raise UnknownProvince(f"unknown province code {code!r}: the codes are {known}")
    return found


def _province_area(province: OfficialProvince) -> Area:
    return Area(province_code(province.number), _province_name(province), PROVINCE, None)


def _commune_area(commune: OfficialCommune) -> Area:
    parent = province_code(commune.province_number)
    return Area(commune_code(commune.number), normalize_text(commune.name), COMMUNE, parent)


def _province_name(province: OfficialProvince) -> str:
    """The name with its kind: "Tỉnh Cao Bằng", "Thành phố Huế" (already so in the list)."""
    name = normalize_text(province.name)
    if province.kind == _PROVINCE_KIND and not name.startswith(_PROVINCE_PREFIX):
        return f"{_PROVINCE_PREFIX} {name}"
    return name
