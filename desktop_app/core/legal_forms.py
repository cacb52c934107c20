"""Company legal forms as people write them, by where in a name they stand.

``normalize.clean_company_name`` cleans these the way it cleans names (case, accents, dots and
punctuation) and strips them from a name's ends, keeping at least one word. A form is stripped only
where it stands in real names: most forms end a name ("Acme GmbH"), some open it ("ООО Ромашка",
"PT Astra"), some do either ("株式会社トヨタ" / "トヨタ株式会社"). Short forms that are also name
words at the other end ("AS Roma", "AB InBev", "A.O. Smith") are therefore listed for one end only.
"""

from __future__ import annotations

# Forms that end a name.
TRAILING: tuple[str, ...] = (
    # English-speaking
    "Inc", "Incorporated", "LLC", "Ltd", "Limited", "PLC", "Corp", "Corporation", "Co", "Company",
    "LP", "LLP", "PLLC", "Pty", "Pty Ltd", "Pty Limited", "Pte", "Pte Ltd", "Co Ltd", "Co Limited",
    "Ltée", "Limitée",
    # German-speaking
    "GmbH", "AG", "KG", "OHG", "e.K.", "GesmbH", "GmbH and Co KG", "GmbH and Co", "GmbH und Co KG",
    "AG and Co KG", "UG", "UG (haftungsbeschränkt)", "SE", "KGaA", "mbH",
    # French, Spanish, Italian, Portuguese
    "SA", "SAS", "SASU", "SARL", "S.à r.l.", "EURL", "SCA", "SNC", "SL", "SLU", "SAU", "SpA", "Srl", "SApA",
    "Ltda", "Lda",
    # Latin America: Mexico, Brazil
    "S.A. de C.V.", "S.A.B. de C.V.", "S.A.P.I. de C.V.", "S. de R.L.", "S. de R.L. de C.V.", "S/A", "EIRELI",
    # Dutch, Belgian
    "BV", "NV", "VOF", "BVBA", "CV",
    # Nordic, Baltic
    "AB", "AB (publ)", "Aktiebolag", "HB", "KB", "Oy", "Oyj", "AS", "ASA", "A/S", "ApS", "I/S", "IS", "K/S", "KS",
    "OÜ",
    # Central/Eastern European, Turkish
    "Sp. z o.o.", "Sp. zoo", "Spzoo", "Kft", "Zrt", "Nyrt", "s.r.o.", "spol. s r.o.", "d.o.o.", "d.d.", "AD",
    "OOD", "Ltd. Şti.", "Şti.",
    # Greek
    "Α.Ε.", "Ε.Π.Ε.", "Ο.Ε.", "Ε.Ε.", "Ι.Κ.Ε.", "Α.Ε.Β.Ε.", "Ανώνυμη Εταιρεία",
    # Japanese, Chinese (also joined to the name: see JOINED_SUFFIXES), other Asian
    "KK", "Kabushiki Kaisha", "GK", "Godo Kaisha", "YK", "Pvt", "Pvt Ltd", "Pvt Limited", "Private Limited",
    "Bhd", "Berhad", "Sdn Bhd", "Sdn Berhad", "Tbk", "Persero", "Persero Tbk", "Public Company Limited",
    "有限公司", "股份有限公司", "有限责任公司", "有限責任公司", "股份公司", "公司", "จำกัด", "จำกัด (มหาชน)",
    # Hebrew, Arabic
    'בע"מ', "ش.م.م", "ذ.م.م", "ش.م.ع",
)

# Forms that open a name.
LEADING: tuple[str, ...] = (
    "PT", "Công ty", "Công ty TNHH", "Công ty Cổ phần", "Cty TNHH", "Cty CP", "บริษัท",
)

# Forms written at either end.
EITHER_END: tuple[str, ...] = (
    # Russian, Ukrainian, Belarusian, Kazakh (also transliterated)
    "ООО", "ОАО", "ЗАО", "ПАО", "НАО", "АО", "ИП", "ТОО", "ТОВ", "ПАТ", "ПрАТ", "ОДО", "ЧУП",
    "Общество с ограниченной ответственностью", "Акционерное общество", "Публичное акционерное общество",
    "Закрытое акционерное общество", "Открытое акционерное общество", "Индивидуальный предприниматель",
    "OOO", "OAO", "ZAO", "PAO", "PJSC", "OJSC", "CJSC", "JSC",
    # Latvian, Lithuanian (the Lithuanian AB only ends a name: "AB InBev")
    "SIA", "UAB",
    # Japanese, Korean: (株) and (주) lose their brackets to cleaning and stand as one character
    "株式会社", "有限会社", "合同会社", "(株)", "(有)", "주식회사", "유한회사", "(주)", "(유)",
)

# Forms written joined to the name without a space (Chinese, Japanese, Korean, Thai).
JOINED_PREFIXES: tuple[str, ...] = ("株式会社", "有限会社", "合同会社", "주식회사", "유한회사", "บริษัท")
JOINED_SUFFIXES: tuple[str, ...] = (
    "株式会社", "有限会社", "合同会社", "주식회사", "유한회사",
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "股份公司", "公司", "จำกัด",
)

# Words that only join a legal form to the name ("Smith and Co"), dropped with it at the end.
JOINERS: tuple[str, ...] = ("and", "und", "et", "y", "en", "og", "och")
