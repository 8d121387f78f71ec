"""Multilingual vocabularies shared by the text helpers, the rule-based tagger, the
segmenter and the ML feature extractors.

Everything here is a plain module constant: a ``frozenset`` of lower-case words or
phrases (for membership tests), a ``tuple`` (when order matters) or a small ``dict``
keyed by type or country.  Words are stored lower-case, accents kept (callers fold
case with :meth:`str.casefold`; :func:`webleads_core.text.names.fold` also strips
accents when a caller wants accent-insensitive matching).

The only compiled patterns are the per-country postcode patterns; they use bounded
quantifiers only (BAD_INPUTS #27) and are covered by ``tests/test_regex_adversarial.py``.

Adding words: keep each entry lower-case, without trailing punctuation (``"tel"``, not
``"Tel."``); matching code strips dots and colons before looking words up.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- sign-offs

#: Closing formulas per language (ISO 639-1), lower-case, without the trailing comma.
SIGNOFFS_BY_LANG: dict[str, frozenset[str]] = {
    "en": frozenset({
        "regards", "best regards", "kind regards", "warm regards", "warmest regards",
        "best wishes", "best", "all the best", "cheers", "thanks", "thank you", "many thanks",
        "thanks again", "thanks and regards", "thanks & regards", "with thanks", "sincerely",
        "yours sincerely", "sincerely yours", "yours truly", "yours faithfully", "respectfully",
        "cordially", "take care", "talk soon", "speak soon", "rgds", "brgds", "br", "thx",
        "with best regards", "with kind regards", "have a great day", "have a nice day",
    }),
    "fr": frozenset({
        "cordialement", "bien cordialement", "très cordialement", "bien à vous", "bien à toi",
        "salutations", "meilleures salutations", "sincères salutations", "bonne journée",
        "bonne soirée", "amicalement", "merci", "merci beaucoup", "à bientôt", "bises",
        "respectueusement", "veuillez agréer", "cdlt", "slts",
    }),
    "de": frozenset({
        "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
        "freundliche grüsse", "viele grüße", "viele grüsse", "beste grüße", "beste grüsse",
        "liebe grüße", "liebe grüsse", "herzliche grüße", "herzliche grüsse", "grüße", "grüsse",
        "gruß", "gruss", "mfg", "vg", "lg", "danke", "vielen dank", "schöne grüße",
    }),
    "es": frozenset({
        "saludos", "un saludo", "saludos cordiales", "atentamente", "cordialmente",
        "un abrazo", "gracias", "muchas gracias", "muy atentamente", "reciba un cordial saludo",
    }),
    "it": frozenset({
        "cordiali saluti", "distinti saluti", "saluti", "un saluto", "grazie", "grazie mille",
        "a presto", "buona giornata", "cordialmente", "con i migliori saluti",
    }),
    "nl": frozenset({
        "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet",
        "vriendelijke groeten", "groeten", "groet", "hartelijke groet", "mvg", "bedankt",
        "dank je wel", "dank u wel", "met hartelijke groet",
    }),
    "pt": frozenset({
        "atenciosamente", "cumprimentos", "melhores cumprimentos", "com os melhores cumprimentos",
        "abraço", "abraços", "um abraço", "obrigado", "obrigada", "saudações", "att",
        "cordialmente",
    }),
    "sv": frozenset({"med vänliga hälsningar", "vänliga hälsningar", "hälsningar", "mvh", "tack"}),
    "da": frozenset({"med venlig hilsen", "venlig hilsen", "mvh", "hilsen", "tak"}),
    "no": frozenset({"med vennlig hilsen", "vennlig hilsen", "hilsen", "mvh", "takk"}),
    "pl": frozenset({"pozdrawiam", "z poważaniem", "serdecznie pozdrawiam", "dziękuję"}),
    "fi": frozenset({"ystävällisin terveisin", "terveisin", "kiitos"}),
    "cs": frozenset({"s pozdravem", "děkuji"}),
    "tr": frozenset({"saygılarımla", "iyi çalışmalar", "teşekkürler"}),
}

#: All sign-offs, any language.
SIGNOFFS: frozenset[str] = frozenset().union(*SIGNOFFS_BY_LANG.values())

# --------------------------------------------------------------------------- job titles

#: Single words that mark a job title (role nouns and seniority words), lower-case.
#: Deliberately excludes words that mostly appear in mottos (``management``, ``solutions``).
TITLE_WORDS: frozenset[str] = frozenset({
    # acronyms
    "ceo", "cto", "cfo", "coo", "cmo", "cio", "ciso", "cso", "cro", "cpo", "chro", "cdo",
    "vp", "svp", "evp", "avp", "gm",
    # English
    "president", "vice", "chairman", "chairwoman", "chairperson", "chair", "founder",
    "co-founder", "cofounder", "owner", "partner", "principal", "director", "manager",
    "lead", "leader", "chief", "officer", "executive", "engineer", "developer",
    "architect", "consultant", "advisor", "adviser", "analyst", "specialist", "associate",
    "assistant", "coordinator", "administrator", "admin", "representative", "rep",
    "supervisor", "superintendent", "secretary", "treasurer", "controller", "comptroller",
    "accountant", "auditor", "attorney", "lawyer", "counsel", "solicitor", "barrister",
    "paralegal", "scientist", "researcher", "professor", "lecturer", "teacher", "designer",
    "editor", "writer", "producer", "strategist", "trader", "broker", "agent", "recruiter",
    "planner", "scheduler", "buyer", "clerk", "technician", "operator", "programmer",
    "intern", "trainee", "fellow", "evangelist", "marketer", "salesperson", "economist",
    "ambassador", "liaison", "secretary-general", "nurse", "physician", "pharmacist",
    "dispatcher", "foreman", "inspector", "surveyor", "notary", "notaire", "officer",
    "support", "geologist", "geophysicist", "chemist", "physicist", "actuary", "underwriter",
    "originator", "negotiator", "estimator", "instructor", "coach", "mentor", "organizer",
    "organiser", "facilitator", "moderator", "author", "journalist", "reporter", "photographer",
    # French
    "directeur", "directrice", "responsable", "chef", "gérant", "gérante", "ingénieur",
    "ingénieure", "chargé", "chargée", "conseiller", "conseillère", "président",
    "présidente", "associé", "associée", "fondateur", "fondatrice",
    "comptable", "avocat", "avocate", "juriste", "adjoint", "adjointe",
    "développeur", "développeuse", "chercheur", "chercheuse", "gestionnaire", "assistante",
    # German
    "geschäftsführer", "geschäftsführerin", "leiter", "leiterin", "abteilungsleiter",
    "abteilungsleiterin", "bereichsleiter", "teamleiter", "teamleiterin", "vorstand",
    "vorsitzender", "inhaber", "inhaberin", "berater", "beraterin", "referent", "referentin",
    "sachbearbeiter", "sachbearbeiterin", "prokurist", "prokuristin", "entwickler",
    "entwicklerin", "ingenieur", "ingenieurin", "vertriebsleiter", "projektleiter",
    "projektleiterin", "assistenz", "mitarbeiter", "mitarbeiterin", "gesellschafter",
    "rechtsanwalt", "rechtsanwältin", "steuerberater", "einkäufer",
    # Spanish / Portuguese
    "gerente", "director", "directora", "diretor", "diretora", "jefe", "jefa", "coordinador",
    "coordinadora", "coordenador", "coordenadora", "asesor", "asesora", "consultor",
    "consultora", "ingeniero", "ingeniera", "engenheiro", "engenheira", "analista",
    "presidente", "fundador", "fundadora", "socio", "socia", "sócio", "sócia", "abogado",
    "abogada", "advogado", "advogada", "ejecutivo", "ejecutiva", "executivo", "executiva",
    "responsável", "vendedor", "vendedora", "desarrollador", "desenvolvedor",
    # Italian
    "responsabile", "direttore", "direttrice", "amministratore", "amministratrice",
    "delegato", "consulente", "ingegnere", "presidente", "socio",
    "avvocato", "titolare", "referente", "sviluppatore",
    # Dutch
    "directeur", "eigenaar", "adviseur", "medewerker", "bedrijfsleider", "oprichter",
    "hoofd", "verkoper", "ontwikkelaar",
})

#: Words that qualify a title (seniority, department) but are no title on their own:
#: ``Senior``, ``Sales`` and ``Global`` only count next to a role noun.
TITLE_MODIFIERS: frozenset[str] = frozenset({
    "senior", "sr", "junior", "jr", "staff", "deputy", "acting", "interim", "general",
    "regional", "global", "managing", "product", "program", "programme", "project", "sales",
    "marketing", "operations", "finance", "financial", "engineering", "technical", "legal",
    "business", "development", "customer", "account", "accounts", "key", "national",
    "international", "area", "country", "district", "human", "resources", "hr", "it",
    "commercial", "commerciale", "vertrieb", "einkauf", "ventes", "achats", "ventas",
    "vendas", "vendite", "vice", "co",
})

#: Multi-word title phrases (lower-case), matched as substrings on word boundaries.
TITLE_PHRASES: tuple[str, ...] = (
    "head of", "vice president", "managing director", "general manager", "chief executive",
    "chief executive officer", "chief technology officer", "chief financial officer",
    "chief operating officer", "account manager", "account executive", "business development",
    "customer success", "executive assistant", "personal assistant", "board member",
    "member of the board", "directeur général", "directrice générale", "chef de projet",
    "chargé d'affaires", "chargée d'affaires", "responsable commercial", "leiter vertrieb",
    "director general", "directora general", "director comercial", "amministratore delegato",
    "direttore generale", "diretor executivo", "diretora executiva", "sales director",
)

# --------------------------------------------------------------------------- companies

#: Legal-form suffixes, in their usual spelling (case matters for the short ones:
#: ``AG``, ``SA``, ``AS`` are only suffixes in capitals).  Matching code compares
#: with dots and commas stripped, see :data:`COMPANY_SUFFIXES_FOLDED`.
COMPANY_SUFFIXES: tuple[str, ...] = (
    "Inc", "Inc.", "Incorporated", "LLC", "L.L.C.", "LLP", "L.L.P.", "LP", "L.P.", "Ltd",
    "Ltd.", "Limited", "PLC", "plc", "Corp", "Corp.", "Corporation", "Co.", "Company",
    "PLLC", "P.C.", "PC", "N.A.",
    "GmbH", "gGmbH", "AG", "KG", "OHG", "GbR", "e.V.", "eG", "UG", "SE", "KGaA", "mbH",
    "SA", "S.A.", "SAS", "S.A.S.", "SASU", "SARL", "S.A.R.L.", "EURL", "SCI", "SNC", "SCOP",
    "S.p.A.", "SpA", "S.r.l.", "Srl", "S.R.L.", "S.n.c.", "S.a.s.",
    "S.L.", "SL", "S.L.U.", "SLU", "S.A.U.", "S.Coop.",
    "BV", "B.V.", "NV", "N.V.", "VOF", "CV",
    "Lda", "Lda.", "Ltda", "Ltda.", "S/A", "ME", "EIRELI",
    "Pty", "Pty Ltd", "Pty. Ltd.", "Pte", "Pte Ltd", "Pte. Ltd.", "Sdn Bhd", "Bhd",
    "AB", "ASA", "AS", "A/S", "ApS", "Oy", "Oyj", "HB", "KB",
    "sp. z o.o.", "S.A.B. de C.V.", "S.C.", "s.r.o.", "a.s.", "Kft", "Zrt", "d.o.o.",
    "K.K.", "KK", "Co., Ltd.", "Co. Ltd",
)

#: The suffixes folded for lookup: lower-case, dots removed (``"s.p.a."`` -> ``"spa"``).
COMPANY_SUFFIXES_FOLDED: frozenset[str] = frozenset(
    s.casefold().replace(".", "").replace(",", "").strip() for s in COMPANY_SUFFIXES
)

#: Folded suffixes that only count when written in capitals (they are also words).
COMPANY_SUFFIXES_CASE_SENSITIVE: frozenset[str] = frozenset({
    "AG", "SA", "AS", "AB", "SE", "SL", "ME", "CV", "PC", "KB", "HB", "KK", "SC", "LP", "CO",
})

#: Words that suggest an organisation name (weaker than a legal suffix).
ORG_WORDS: frozenset[str] = frozenset({
    "group", "holding", "holdings", "partners", "associates", "consulting", "consultants",
    "consultancy", "technologies", "technology", "tecnologia", "tecnología", "technologie",
    "technik", "systems", "solutions", "services", "software", "labs", "laboratories",
    "industries", "international", "enterprises", "ventures", "capital", "bank", "banque",
    "bank", "insurance", "university", "université", "universität", "universidad",
    "università", "universidade", "universiteit", "institute", "institut", "instituto",
    "istituto", "college", "school", "academy", "foundation", "fondation", "stiftung",
    "fundación", "fundação", "fondazione", "agency", "agence", "agentur", "agencia",
    "studio", "studios", "media", "energy", "logistics", "networks", "communications",
    "pharma", "pharmaceuticals", "hospital", "clinic", "council", "ministry", "department",
    "corporation", "company", "compagnie", "gesellschaft", "verlag", "werke", "bureau",
    "cabinet", "kanzlei", "broadband", "trust", "fund", "advisors", "advisers",
    "investments", "securities", "markets", "exchange", "association", "society", "verein",
    "verband", "federation", "commerce", "resources", "power", "airlines", "motors",
})

# --------------------------------------------------------------------------- disclaimers, legal footers, mottos

#: Phrases that open or mark an email disclaimer / confidentiality notice.
DISCLAIMER_CUES: tuple[str, ...] = (
    "confidential", "confidentiality", "privileged", "intended recipient",
    "intended solely", "intended only for", "if you are not the intended",
    "if you have received this", "received this e-mail in error",
    "received this email in error", "received this message in error",
    "strictly prohibited", "disclaimer", "this e-mail and any", "this email and any",
    "this message and any", "this communication", "unauthorized use", "unauthorised use",
    "please notify the sender", "delete this message", "virus", "legally binding",
    "does not constitute", "views expressed", "opinions expressed",
    "please consider the environment", "think before you print", "before printing",
    "save a tree", "dieser e-mail", "diese e-mail", "diese nachricht", "vertraulich",
    "irrtümlich", "ce message", "ce courriel", "ce courrier électronique", "destinataire",
    "confidentiel", "este mensaje", "este correo", "confidencial", "destinatario",
    "questo messaggio", "riservat", "deze e-mail", "dit bericht", "vertrouwelijk",
    "esta mensagem", "este e-mail", "mensagem é confidencial",
)

#: Phrases of legal footers: company registration, tax ids, registered office.
#: A line with one of these is never a title or a company name.
LEGAL_FOOTER_CUES: tuple[str, ...] = (
    "registered in", "registered office", "registered number", "company number",
    "company no", "company registration", "registration no", "vat no", "vat number",
    "vat reg", "all rights reserved", "copyright", "©", "(c) 20", "trademark",
    "handelsregister", "registergericht", "amtsgericht", "sitz der gesellschaft",
    "geschäftsführer:", "geschäftsführung:", "vorstand:", "aufsichtsrat", "ust-id",
    "ust-idnr", "steuernummer", "hrb ", "hra ", "siège social", "capital social",
    "au capital de", "rcs ", "siret", "siren", "tva intracommunautaire", "n° tva",
    "p.iva", "partita iva", "codice fiscale", "capitale sociale", "registro mercantil",
    "cif:", "nif:", "cnpj", "kvk", "btw", "abn ", "acn ", "authorised and regulated",
    "authorized and regulated", "regulated by", "member of the", "a member of",
)

#: Words typical of mottos and slogans (sentences about "you" and "us").  A segment
#: with one of these is not taken as a title or a company.
MOTTO_CUES: frozenset[str] = frozenset({
    "we", "our", "ours", "us", "you", "your", "yours", "together", "since", "better",
    "best", "world", "future", "tomorrow", "passion", "excellence", "delivering",
    "making", "empowering", "helping", "building", "creating", "inspiring", "innovating",
    "trusted", "proud", "award-winning", "nous", "notre", "vous", "votre", "wir", "unser",
    "unsere", "ihr", "ihre", "nosotros", "nuestro", "nuestra", "su", "sua", "nossa", "nosso",
    "noi", "nostro", "nostra", "wij", "onze", "uw",
})

# --------------------------------------------------------------------------- device footers

#: Mobile-client footers (lower-case prefixes).  A line starting with one of these is
#: a device footer, never part of a signature.
DEVICE_FOOTERS: tuple[str, ...] = (
    "sent from my", "sent from mobile", "sent from yahoo mail", "sent from mail for windows",
    "sent from outlook", "sent via ", "sent with ", "get outlook for", "get outlook for ios",
    "get outlook for android", "envoyé de mon", "envoyé depuis mon", "envoyé à partir de",
    "obtenir outlook pour", "von meinem iphone gesendet", "von meinem ipad gesendet",
    "von meinem smartphone gesendet", "von meinem", "gesendet von meinem",
    "gesendet mit der", "outlook für ios beziehen", "outlook für android beziehen",
    "enviado desde mi", "enviado desde", "enviado do meu", "enviado a partir do",
    "obtener outlook para", "inviato da iphone", "inviato dal mio", "inviato da",
    "verzonden vanaf mijn", "verzonden met", "verstuurd vanaf mijn", "skickat från min",
    "sendt fra min", "wysłane z mojego", "lähetetty iphonesta", "do you yahoo!?",
)

# --------------------------------------------------------------------------- phones

#: Phone labels by type (lower-case, no trailing dot or colon).  Single letters count
#: only right before the number.
PHONE_LABELS: dict[str, frozenset[str]] = {
    "work": frozenset({
        "t", "tel", "tél", "tele", "telephone", "téléphone", "telefon", "telefono",
        "teléfono", "telefone", "telf", "tfno", "tlf", "tf", "fon", "fone", "phone", "ph",
        "p", "office", "off", "o", "direct", "direct line", "direct dial", "dir", "d", "dl",
        "ddi", "work", "w", "büro", "buero", "bureau", "fixe", "fix", "festnetz", "zentrale",
        "main", "switchboard", "standard", "oficina", "escritório", "escritorio", "ufficio",
        "kantoor", "voice", "v", "toll free", "toll-free", "tollfree", "hotline",
        "durchwahl", "dw", "business", "biz",
    }),
    "mobile": frozenset({
        "m", "mob", "mobile", "mobile phone", "cell", "cel", "cell phone", "cellphone",
        "cellular", "celular", "port", "portable", "mobil", "mobiltelefon", "handy",
        "cellulare", "cell.", "gsm", "móvil", "movil", "telemóvel", "telemovel", "tlm",
        "mobiel", "wireless", "natel", "whatsapp", "c", "mobilnummer", "tel. mobile",
        "tél. portable", "tel portable", "tél portable",
    }),
    "fax": frozenset({
        "f", "fax", "fx", "facsimile", "fac", "télécopie", "telecopie", "télécopieur",
        "telefax", "téléc", "telecopia", "telecópia", "fax number",
    }),
    "other": frozenset({
        "pager", "beeper", "home", "h", "private", "privat", "casa", "domicile", "maison",
        "zuhause", "thuis", "res", "residence", "evening", "emergency",
    }),
}

#: Words that introduce an extension after a number (kept apart from the E.164 value).
EXTENSION_LABELS: frozenset[str] = frozenset({
    "ext", "extn", "extension", "x", "poste", "p", "durchwahl", "dw", "app", "int",
    "interno", "anexo", "ramal", "toestel", "tst", "nebenstelle", "#",
})

#: Labels that introduce an email address or a website on a signature line.
CONTACT_LABELS: frozenset[str] = frozenset({
    "e", "email", "e-mail", "mail", "courriel", "correo", "w", "web", "website", "site",
    "site web", "webseite", "internet", "url", "www", "homepage", "linkedin", "twitter",
    "x", "github", "xing", "skype", "teams", "instagram", "facebook",
})

# --------------------------------------------------------------------------- addresses

#: Street-type words (lower-case, no dots), in the languages we meet most.
STREET_WORDS: frozenset[str] = frozenset({
    # English
    "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "drive", "dr",
    "lane", "ln", "way", "place", "pl", "court", "ct", "parkway", "pkwy", "highway", "hwy",
    "square", "sq", "terrace", "circle", "cir", "plaza", "suite", "ste", "floor", "fl",
    "unit", "building", "bldg", "tower", "p.o. box", "po box", "pobox", "box", "crescent",
    "close", "mews", "row", "wharf", "quay", "park", "centre", "center", "house",
    # French
    "rue", "boulevard", "bd", "bld", "allée", "allee", "chemin", "quai", "impasse", "cours",
    "place", "route", "voie", "cedex", "bp", "étage", "bâtiment",
    # German
    "straße", "strasse", "str", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer",
    "chaussee", "postfach", "stock", "og",
    # Spanish / Portuguese
    "calle", "c/", "avenida", "avda", "paseo", "plaza", "carrera", "rua", "praça", "praca",
    "travessa", "alameda", "rodovia", "estrada", "largo", "andar", "sala", "piso", "oficina",
    "col", "colonia", "cep",
    # Italian
    "via", "viale", "piazza", "corso", "vicolo", "piano",
    # Dutch
    "straat", "gracht", "laan", "plein", "kade", "singel", "dijk", "postbus",
})

#: German/Dutch street suffixes written as part of one word (``Hauptstraße``).
STREET_SUFFIXES: tuple[str, ...] = (
    "straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "damm", "ufer",
    "straat", "gracht", "laan", "plein", "kade", "singel", "dijk",
)

#: Postcode shapes per country (ISO 3166 alpha-2).  Each is a bounded pattern meant to
#: be searched in one line of text.  ``US`` includes the state abbreviation, the
#: 4/5-digit ones require a following capitalised place name to keep phone fragments
#: and years out.
POSTCODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"\b[A-Z]{2}\.?,? {1,3}\d{5}(?:-\d{4})?\b"),
    "CA": re.compile(r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b"),
    "GB": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"),
    "NL": re.compile(r"\b\d{4} ?[A-Z]{2}\b(?! ?\d)"),
    "PT": re.compile(r"\b\d{4}-\d{3}\b(?!-)"),
    "BR": re.compile(r"\b\d{5}-\d{3}\b(?!-)"),
    "DE": re.compile(r"\b(?:D-)?\d{5} {1,3}[A-ZÄÖÜ][a-zäöüß]{2,30}"),
    "FR": re.compile(r"\b(?:F-)?\d{5} {1,3}[A-ZÉÈ][A-Za-zéèêàâîôûç' -]{2,30}"),
    "ES": re.compile(r"\b(?:E-)?\d{5} {1,3}[A-ZÁÉÍÓÚ][a-záéíóúñ]{2,30}"),
    "IT": re.compile(r"\b(?:I-)?\d{5} {1,3}[A-Z][a-zàèéìòù]{2,30}"),
    "CH": re.compile(r"\b(?:CH-)\d{4} {1,3}[A-ZÄÖÜ][a-zäöüéè]{2,30}"),
    "AT": re.compile(r"\b(?:A-)\d{4} {1,3}[A-ZÄÖÜ][a-zäöü]{2,30}"),
    "BE": re.compile(r"\b(?:B-)\d{4} {1,3}[A-Z][a-zéèë]{2,30}"),
    "FOUR_DIGIT": re.compile(r"(?<![\d+(./-])\d{4} {1,3}[A-ZÄÖÜÉ][a-zäöüßéèë]{2,30}\b"),
    "AU": re.compile(r"\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT) {1,3}\d{4}\b"),
    "JP": re.compile(r"〒 ?\d{3}-\d{4}"),
}

#: Country names (several languages) and a few business cities, lower-case, mapped to
#: ISO 3166 alpha-2 codes.  Used for region inference and as address cues.
COUNTRY_NAMES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.a.": "US",
    "canada": "CA", "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR",
    "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "perú": "PE",
    "united kingdom": "GB", "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "great britain": "GB", "ireland": "IE", "éire": "IE",
    "germany": "DE", "deutschland": "DE", "allemagne": "DE", "alemania": "DE",
    "france": "FR", "frankreich": "FR", "francia": "FR", "frança": "FR",
    "spain": "ES", "españa": "ES", "espagne": "ES", "spanien": "ES",
    "italy": "IT", "italia": "IT", "italie": "IT", "italien": "IT",
    "netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "holland": "NL",
    "pays-bas": "NL", "niederlande": "NL", "belgium": "BE", "belgique": "BE", "belgië": "BE",
    "belgien": "BE", "luxembourg": "LU", "luxemburg": "LU",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "austria": "AT", "österreich": "AT", "autriche": "AT", "portugal": "PT",
    "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO", "denmark": "DK",
    "danmark": "DK", "finland": "FI", "suomi": "FI", "poland": "PL", "polska": "PL",
    "czech republic": "CZ", "česko": "CZ", "hungary": "HU", "greece": "GR", "turkey": "TR",
    "türkiye": "TR", "israel": "IL", "south africa": "ZA", "india": "IN", "china": "CN",
    "japan": "JP", "singapore": "SG", "hong kong": "HK", "australia": "AU",
    "new zealand": "NZ", "united arab emirates": "AE", "uae": "AE",
    # cities (only unambiguous business cities)
    "london": "GB", "manchester": "GB", "edinburgh": "GB", "dublin": "IE",
    "paris": "FR", "lyon": "FR", "marseille": "FR", "toulouse": "FR",
    "berlin": "DE", "münchen": "DE", "munich": "DE", "hamburg": "DE", "frankfurt": "DE",
    "köln": "DE", "düsseldorf": "DE", "stuttgart": "DE",
    "madrid": "ES", "barcelona": "ES", "valencia": "ES", "sevilla": "ES",
    "milano": "IT", "milan": "IT", "roma": "IT", "torino": "IT", "bologna": "IT",
    "amsterdam": "NL", "rotterdam": "NL", "utrecht": "NL", "eindhoven": "NL",
    "bruxelles": "BE", "brussels": "BE", "brussel": "BE", "antwerpen": "BE",
    "zürich": "CH", "zurich": "CH", "genève": "CH", "geneva": "CH", "basel": "CH",
    "wien": "AT", "vienna": "AT", "lisboa": "PT", "lisbon": "PT", "porto": "PT",
    "são paulo": "BR", "sao paulo": "BR", "rio de janeiro": "BR", "stockholm": "SE",
    "oslo": "NO", "copenhagen": "DK", "københavn": "DK", "helsinki": "FI", "warsaw": "PL",
    "warszawa": "PL", "toronto": "CA", "montréal": "CA", "montreal": "CA", "vancouver": "CA",
    "sydney": "AU", "melbourne": "AU", "tokyo": "JP", "bangalore": "IN", "mumbai": "IN",
}

#: Names that contain a country name but point elsewhere (checked first).
COUNTRY_NAME_EXCEPTIONS: dict[str, str] = {
    "new mexico": "US", "paris, tx": "US", "paris, texas": "US", "london, ontario": "CA",
    "london, on": "CA",
}

#: US state and Canadian province abbreviations (address cue: ``Houston, TX 77002``).
US_STATES: frozenset[str] = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL",
    "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
    "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD",
    "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
})

#: US state names (address cue: ``Houston, Texas 77002``).
US_STATE_NAMES: frozenset[str] = frozenset({
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
    "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina",
    "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
    "washington", "west virginia", "wisconsin", "wyoming", "district of columbia",
})

# --------------------------------------------------------------------------- Art. 9 data

#: GDPR Art. 9 special-category cues by category (lower-case phrases, matched on word
#: boundaries).  A signature line carrying one is dropped whole before storage
#: (BAD_INPUTS #18).  Phrases are chosen so that ordinary signature lines (``Church
#: Street``, the surname ``Gay``) do not trigger them.
SENSITIVE_CUES: dict[str, tuple[str, ...]] = {
    "trade_union": (
        "union rep", "union representative", "union steward", "shop steward",
        "trade union", "labor union", "labour union", "union member", "union official",
        "gewerkschaft", "gewerkschafter", "gewerkschafterin", "vertrauensmann",
        "vertrauensfrau", "gewerkschaftlich", "syndicat", "syndical", "syndicale",
        "syndiqué", "syndiquée", "délégué syndical", "déléguée syndicale", "sindacato",
        "sindacale", "rsu", "delegato sindacale", "sindicato", "sindical",
        "delegado sindical", "delegada sindical", "vakbond", "vakbondslid", "fagforening",
        "ig metall", "ver.di", "unite the union", "teamsters", "afl-cio", "cgt", "cfdt",
        "force ouvrière", "ugt", "ccoo", "cgil", "cisl",
    ),
    "health": (
        "sick leave", "on sick", "off sick", "medical leave", "sick note", "my illness",
        "maternity leave", "pregnant", "pregnancy", "chemotherapy", "cancer treatment",
        "recovering from", "after surgery", "diagnosed with", "registered disabled",
        "mental health day", "burnout", "hospitalised", "hospitalized", "in hospital", "arrêt maladie", "congé maladie", "en maladie", "congé maternité",
        "krankgeschrieben", "krankheitsbedingt", "krankenstand", "erkrankt", "mutterschutz",
        "elternzeit wegen", "baja médica", "baja por enfermedad", "de baja", "in malattia",
        "ziekteverlof", "ziek thuis", "licença médica", "atestado médico",
        "hiv positive", "hiv+", "diabetic",
    ),
    "religion": (
        "parishioner", "church member", "member of the church", "church elder", "deacon",
        "pastor at", "pastor of", "rabbi at", "imam at", "congregation", "kirchengemeinde",
        "kirchenvorstand", "paroisse", "paroissien", "parroquia", "parrocchia", "mosque",
        "synagogue", "mosquée", "moschee", "synagoge", "fasting for ramadan", "ramadan",
        "blessed be", "god bless", "praise the lord", "in christ", "inshallah",
        "religious affiliation",
    ),
    "politics": (
        "party member", "member of the labour party", "member of the conservative party",
        "democratic party", "republican party", "labour party member", "tory member",
        "parteimitglied", "mitglied der spd", "mitglied der cdu", "mitglied der grünen",
        "membre du parti", "militant du parti", "militante du parti", "afiliado al partido",
        "afiliada al partido", "militante del partido", "iscritto al partito",
        "iscritta al partito", "filiado ao partido", "political affiliation",
        "campaign volunteer for",
    ),
    "sexual_orientation": (
        "lgbt", "lgbtq", "lgbtqia", "lgbtq+", "gay and lesbian", "openly gay", "lesbian",
        "bisexual", "transgender", "queer", "sexual orientation", "pride network",
        "homosexual", "homosexuel", "homosexuelle", "schwul", "lesbisch",
    ),
    "ethnicity": (
        "racial origin", "ethnic origin", "ethnic minority network", "bame network",
    ),
}

#: Every Art. 9 cue, flattened.
SENSITIVE_PHRASES: tuple[str, ...] = tuple(
    sorted({p for cues in SENSITIVE_CUES.values() for p in cues}, key=len, reverse=True)
)

# --------------------------------------------------------------------------- names

#: Honorifics that are also given names or words (``Don``): removed only when at least
#: two name words remain.
AMBIGUOUS_HONORIFICS: frozenset[str] = frozenset({
    "don", "m", "me", "col", "gen", "ing", "mag", "ir", "lic", "eng", "arch", "lord", "sir",
    "dame", "lady", "hon", "fr", "rag", "geom", "avv",
})

#: Honorifics written before a name (lower-case, dots removed).
HONORIFICS: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord",
    "lady", "rev", "revd", "fr", "hon", "herr", "frau", "m", "mme", "mlle", "me", "maître",
    "sr", "sra", "srta", "don", "doña", "dña", "dott", "dottssa", "dott.ssa", "ing", "avv",
    "arch", "geom", "rag", "mag", "dipl", "dipl-ing", "dipl-kfm", "dipl-kff", "drs", "mevr",
    "dhr", "ir", "eng", "lic", "capt", "col", "gen", "lt", "sgt", "cmdr", "adm",
})

#: Credentials written after a name (lower-case, dots removed).
CREDENTIALS: frozenset[str] = frozenset({
    "phd", "dphil", "md", "do", "mba", "emba", "cpa", "cfa", "cma", "cfp", "cia", "cisa",
    "cissp", "cism", "pmp", "esq", "jd", "llm", "llb", "pe", "peng", "ceng", "msc", "bsc",
    "ma", "ba", "bs", "ms", "meng", "beng", "mphil", "mph", "rn", "np", "dds", "dmd",
    "dvm", "pharmd", "psyd", "edd", "fca", "aca", "acca", "cima", "frcs", "mrcp", "frsa",
    "sphr", "phr", "shrm-cp", "shrm-scp", "cpcu", "cae", "leed ap", "ra", "aia", "cpp",
    "crisc", "ccna", "ccnp", "ccie", "mcse", "itil", "csm", "cspo", "mcp", "dipl",
    "dipl-ing", "dipl-kfm", "ll.m", "mag", "ing", "ir", "drs", "hons", "obe", "mbe", "cbe",
    "kbe", "frs", "freng", "qc", "kc", "cpa/cfe", "cfe", "ea",
})

#: Generational suffixes kept as part of a name (and ignored by name keys).
GENERATIONAL: frozenset[str] = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "2nd", "3rd"})

#: Name particles that stay lower-case inside a name (``van der Berg``).
NAME_PARTICLES: frozenset[str] = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la",
    "le", "lo", "ten", "ter", "zu", "y", "e", "bin", "ibn", "al", "el", "st",
})

#: Common words that are never part of a person's name (helps reject sentences).
NON_NAME_WORDS: frozenset[str] = frozenset({
    "the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with", "from", "is",
    "are", "be", "this", "that", "please", "thanks", "thank", "regards", "best", "sent",
    "call", "me", "my", "your", "our", "we", "you", "it", "not", "no", "yes", "hi", "hello",
    "dear", "cc", "to:", "subject", "re", "fw", "fwd", "office", "phone", "mobile", "fax",
    "email", "mail", "web", "www", "tel", "cell", "all", "team", "support", "info",
    "sales", "admin", "department", "message", "original", "forwarded", "pm", "am",
    "attached", "attachment", "see", "below", "above", "let", "know", "will", "can",
    "if", "have", "has", "had", "was", "were", "would", "could", "should",
})
