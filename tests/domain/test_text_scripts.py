"""Script-blind folding: what desk staff type on a Latin keyboard finds names written in other
scripts, and the other way round."""

from __future__ import annotations

from eventdesk.domain.text import fold, query_terms, search_tokens


def test_cyrillic_and_greek_names_fold_to_their_latin_spelling() -> None:
    assert search_tokens("Иван", "Петров") >= {"ivan", "petrov"}
    assert search_tokens("Γιώργος", "Παπαδόπουλος") >= {"giorgos", "papadopoulos"}


def test_a_query_in_another_script_folds_like_the_latin_name() -> None:
    assert query_terms("Петров") == ["petrov"]
    assert fold("Petrov") == fold("Петров")


def test_latin_accents_still_fold_as_before() -> None:
    assert fold("Šermukšnytė") == "sermuksnyte"
    assert fold("Łukasz Ørsted") == "lukasz orsted"
    assert "mueller" in search_tokens("Müller") and "muller" in search_tokens("Müller")


def test_arabic_and_chinese_names_have_search_tokens() -> None:
    assert search_tokens("محمد العلي")
    assert fold("王小明") == "wangxiaoming"
