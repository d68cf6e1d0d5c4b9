"""Town and village name normalisation."""

import pytest

from shunde_workbook.data import places


@pytest.mark.parametrize(
    "name, code",
    [
        ("容桂街道", "440606006"),
        ("容桂", "440606006"),
        ("容奇", "440606006"),
        ("桂洲", "440606006"),
        ("桂洲镇", "440606006"),
        ("勒流镇", "440606004"),
        ("勒流", "440606004"),
        ("北滘镇", "440606102"),
        ("北滘", "440606102"),
        ("顺德区北滘镇", "440606102"),
        ("佛山市顺德区大良街道", "440606005"),
        ("Ronggui", "440606006"),
        ("ronggui town", "440606006"),
        ("Jun'an", "440606106"),
        ("junan", "440606106"),
        (" 均安 ", "440606106"),
        ("440606101", "440606101"),
    ],
)
def test_normalise_town(name, code):
    assert places.normalise_town(name) == code


@pytest.mark.parametrize("name", ["新会", "", None, "440606003001", "广州"])
def test_unknown_towns(name):
    assert places.normalise_town(name) is None


def test_suggest_town():
    assert places.suggest_town("容贵") == "容桂街道"
    assert places.suggest_town("杏坛") == "杏坛镇"


@pytest.mark.parametrize(
    "name, town, code",
    [
        ("东风", "440606006", "440606006006"),  # 容桂 东风社区
        ("东风村", "440606004", "440606004204"),  # 勒流 东风村
        ("东风社区居委会", "440606006", "440606006006"),
        ("常教", "440606003", "440606003001"),
        ("常教社区", None, "440606003001"),  # unique district-wide: town not needed
        ("440606003001", None, "440606003001"),
    ],
)
def test_resolve_village(name, town, code):
    got, status, _ = places.resolve_village(name, town)
    assert (got, status) == (code, places.VILLAGE_OK)


def test_village_short_name_ending_in_cun_is_not_over_stripped():
    # 荔村 is the short name itself (full name 荔村村委会)
    code, status, _ = places.resolve_village("荔村", None)
    assert status == places.VILLAGE_OK and places.village_name(code) == "荔村村委会"
    assert places.resolve_village("荔村村委会", None)[0] == code


def test_ambiguous_and_wrong_town():
    code, status, detail = places.resolve_village("东风", None)
    assert code is None and status == places.VILLAGE_AMBIGUOUS and "勒流街道" in detail and "容桂街道" in detail
    code, status, detail = places.resolve_village("南华", "440606003")  # 伦教 has no 南华
    assert code is None and status == places.VILLAGE_WRONG_TOWN and "杏坛镇" in detail
    assert places.resolve_village("不存在村", "440606003")[1] == places.VILLAGE_UNKNOWN
