"""Company names from around the world clean as a consultant expects: legal forms stripped where they
stand in that country's names, and no character splitting a word in two."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.normalize import clean_company_name, clean_company_name_list

# (country, the ways the same company is written, the cleaned name all of them give)
SPELLINGS = [
    ("TR", ["İstanbul Holding A.Ş.", "ISTANBUL HOLDING AS", "İSTANBUL HOLDİNG", "Istanbul Holding Ltd. Şti."],
     "istanbul holding"),
    ("MX", ["Grupo Bimbo S.A.B. de C.V.", "Grupo Bimbo, S.A. de C.V.", "Grupo Bimbo S. de R.L. de C.V.",
            "GRUPO BIMBO S DE RL", "Grupo Bimbo S.A.P.I. de C.V."], "grupo bimbo"),
    ("IN", ["Infosys Pvt. Ltd.", "Infosys Private Limited", "INFOSYS PVT LTD", "Infosys Pvt Limited",
            "Infosys LLP"], "infosys"),
    ("BR", ["Natura Cosméticos Ltda.", "Natura Cosmeticos S/A", "NATURA COSMÉTICOS S.A.", "Natura Cosméticos EIRELI"],
     "natura cosmeticos"),
    ("LV", ["SIA “Rimi Latvia”", "Rimi Latvia SIA", "SIA Rimi Latvia"], "rimi latvia"),
    ("LT", ["UAB „Maxima LT“", "Maxima LT, UAB", "Maxima LT AB"], "maxima lt"),
    ("EE", ["Elisa Eesti AS", "Elisa Eesti OÜ"], "elisa eesti"),
    ("RU (Latin)", ["OOO Romashka", "Romashka OOO", "PJSC Romashka", "Romashka JSC", "ZAO Romashka"], "romashka"),
    ("RU", ["ООО «Ромашка»", "«Ромашка» ООО", "Ромашка, ООО", "АО \"Ромашка\"", "ПАО «Ромашка»", "ЗАО Ромашка",
            "Общество с ограниченной ответственностью «Ромашка»"], "ромашка"),
    ("RU (sole trader)", ["ИП Иванов", "Иванов ИП", "Индивидуальный предприниматель Иванов"], "иванов"),
    ("JP", ["トヨタ株式会社", "株式会社トヨタ", "株式会社 トヨタ", "トヨタ 株式会社", "(株)トヨタ", "トヨタ(株)",
            "㈱トヨタ", "トヨタ（株）"], "トヨタ"),
    ("CN", ["华为技术有限公司", "华为技术 有限公司", "华为技术股份有限公司", "华为技术有限责任公司",
            "华为技术公司"], "华为技术"),
    ("TW/HK", ["台灣積體電路製造股份有限公司", "台灣積體電路製造有限公司"], "台灣積體電路製造"),
    ("KR", ["(주)카카오", "카카오(주)", "㈜카카오", "주식회사 카카오", "카카오 주식회사", "카카오주식회사"], "카카오"),
    ("GR", ["ΟΤΕ Α.Ε.", "ΟΤΕ ΑΕ", "ΟΤΕ Ε.Π.Ε.", "Οτε Ι.Κ.Ε."], "οτε"),
    ("ID", ["PT Bank Central Asia Tbk", "PT. Bank Central Asia", "Bank Central Asia Tbk"], "bank central asia"),
    ("ID (state-owned)", ["PT Telkom Indonesia (Persero) Tbk", "Telkom Indonesia Persero"], "telkom indonesia"),
    ("MY", ["Petronas Sdn Bhd", "Petronas Sdn. Bhd.", "Petronas Berhad", "PETRONAS BHD"], "petronas"),
    ("KZ", ["Kaspi JSC", "JSC Kaspi", "ТОО Kaspi"], "kaspi"),
    ("VN", ["Công ty TNHH Vinamilk", "Công ty Cổ phần Vinamilk", "Vinamilk"], "vinamilk"),
    ("TH", ["บริษัท ปูนซิเมนต์ไทย จำกัด (มหาชน)", "บริษัท ปูนซิเมนต์ไทย จำกัด", "ปูนซิเมนต์ไทย"], "ปูนซิเมนต์ไทย"),
    ("IL", ['טבע בע"מ', "טבע"], "טבע"),
    ("DE", ["Müller & Söhne GmbH & Co. KG", "MÜLLER & SÖHNE GMBH"], "muller and sohne"),
    ("CA", ["Bombardier Ltée", "Bombardier Limitée", "Bombardier Inc."], "bombardier"),
]


@pytest.mark.parametrize(("country", "spellings", "clean"), SPELLINGS, ids=[row[0] for row in SPELLINGS])
def test_every_spelling_of_a_company_cleans_to_one_name(country: str, spellings: list[str], clean: str) -> None:
    assert {spelling: clean_company_name(spelling) for spelling in spellings} == dict.fromkeys(spellings, clean)
    assert clean_company_name_list(spellings) == [clean] * len(spellings)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # A form is a name word where it does not stand as a form: only the end strips these.
        ("AB InBev", "ab inbev"),
        ("AS Roma", "as roma"),
        ("A.O. Smith", "ao smith"),
        ("SA Power Networks", "sa power networks"),
        ("Co-operative Bank", "co operative bank"),
        # Nothing but a form, or only forms: the name is kept, never reduced to nothing.
        ("ООО", "ооо"),
        ("株式会社", "株式会社"),
        ("(株)", "株"),
        ("SIA", "sia"),
        ("S.A. de C.V.", "sa de"),  # only the part of it that leaves a word
        ("Ltd", "ltd"),
        ("PT Tbk", "tbk"),
        ("The Company", "company"),
        # A CJK form comes off a word only when something is left and the word is no form itself.
        ("公司", "公司"),
        ("有限公司", "有限公司"),
    ],
)
def test_forms_are_stripped_only_where_they_stand_in_names(raw: str, clean: str) -> None:
    assert clean_company_name(raw) == clean


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("İstanbul", "Istanbul"),  # the dotted capital I case-folds to i + a combining dot
        ("Mül\u00adler Bau", "Muller Bau"),  # soft hyphen
        ("Mül\u200bler Bau", "Muller Bau"),  # zero-width space
        ("Mül\u200dler Bau", "Muller Bau"),  # zero-width joiner
        ("Mül\u200cler Bau", "Muller Bau"),  # zero-width non-joiner
        ("Mül\u2060ler Bau", "Muller Bau"),  # word joiner
        ("\u200eAcme Bau\u200f", "Acme Bau"),  # direction marks
        ("\ufeffAcme Bau", "Acme Bau"),  # byte order mark
        ("Acme\ufe0f Bau", "Acme Bau"),  # variation selector
        ("Mu\u0308ller Bau", "Müller Bau"),  # decomposed (NFD, as macOS writes file names)
        ("Ａｃｍｅ　Ｂａｕ", "Acme Bau"),  # full-width letters and ideographic space
        ("Acme\u00a0Bau", "Acme Bau"),  # no-break space separates words
        ("ｶｶｵ", "カカオ"),  # half-width katakana
        ("ﾄﾞｺﾓ", "ドコモ"),  # half-width katakana with a voicing mark
    ],
)
def test_invisible_and_compatibility_characters_do_not_split_a_word(written: str, plain: str) -> None:
    assert clean_company_name(written) == clean_company_name(plain)
    assert " " not in clean_company_name(written.split()[0])


@pytest.mark.parametrize(
    "name",
    [
        "हिन्दुस्तान यूनिलीवर",  # Devanagari: vowel signs and virama are combining marks
        "ปูนซิเมนต์ไทย",  # Thai: vowels above and below are combining marks
        "مُحَمَّد للتجارة",  # Arabic with its short-vowel marks
        "שָׁלוֹם",  # Hebrew with points
        "ব্র্যাক",  # Bengali
    ],
)
def test_marks_of_other_scripts_stay_in_their_word(name: str) -> None:
    assert clean_company_name(name).split() == name.split()


_FORMS_AT_EITHER_END = st.sampled_from(["ООО", "ПАО", "株式会社", "(주)", "주식회사", "OOO", "PJSC", "SIA", "UAB"])
_CYRILLIC_OR_KANA_WORD = st.from_regex(r"[а-яА-Я]{3,8}|[ァ-ヶ]{2,6}|[A-Za-z]{3,8}", fullmatch=True)


@settings(deadline=None)
@given(st.lists(_CYRILLIC_OR_KANA_WORD, min_size=1, max_size=3).map(" ".join), _FORMS_AT_EITHER_END,
       st.sampled_from([("", ""), ("«", "»"), ("\"", "\""), ("“", "”")]))
def test_a_form_that_may_open_or_end_a_name_cleans_alike_in_both_places(name: str, form: str,
                                                                      quotes: tuple[str, str]) -> None:
    quoted = quotes[0] + name + quotes[1]
    bare = clean_company_name(name)
    assert clean_company_name(f"{form} {quoted}") == bare
    assert clean_company_name(f"{quoted} {form}") == bare


def test_a_japanese_name_matches_with_its_form_on_either_side() -> None:
    assert clean_company_name("トヨタ株式会社") == clean_company_name("株式会社トヨタ") == "トヨタ"
