"""Legal forms compared as a class: every spelling on the right is the class on the left.

Spellings are as normalise() leaves them (lower case, dots dropped, other punctuation a space), and include
the compare forms rigour writes for the forms it knows in other languages and scripts ("ooo", "coltd").
"""

CLASSES = {
    "ltd": ["ltd", "limited", "ltda", "limitada", "ltee", "limitee"],
    "pvt ltd": ["pvt ltd", "pvt limited", "private ltd", "private limited", "p ltd", "pvt", "pte ltd",
                "pte limited", "pte", "private ltd company", "pvt ltd co", "pra li", "pra ltd", "pvt ltd company"],
    "co ltd": ["co ltd", "co limited", "company ltd", "company limited", "coltd", "cos ltd"],
    "co": ["co", "company", "cos", "compagnie", "cia", "compania", "companhia", "and co", "and company"],
    "llc": ["llc", "l l c", "limited liability company", "limited liability co", "ltd liability company",
            "ltd liability co", "ooo", "tov", "mchj", "fz llc", "fzllc", "llc fz"],
    "wll": ["wll", "w l l", "with limited liability", "with ltd liability", "spc", "single person company"],
    "sdn bhd": ["sdn bhd", "sendirian berhad", "sdn berhad"],
    "bhd": ["bhd", "berhad"],
    "pt": ["pt", "perseroan terbatas", "pt tbk", "tbk", "persero"],
    "plc": ["plc", "public limited company", "public ltd co", "public company limited", "public co ltd", "pcl"],
    "inc": ["inc", "incorporated"],
    "corp": ["corp", "corporation"],
    "llp": ["llp", "limited liability partnership"],
    "lp": ["lp", "limited partnership"],
    "est": ["est", "establishment", "estb", "est for trading"],
    "fze": ["fze", "fzco", "fzc", "fze llc", "free zone establishment", "free zone company", "dmcc"],
    "jsc": ["jsc", "joint stock company", "ojsc", "cjsc", "pjsc", "oao", "zao", "pao", "ao", "jsco",
            "open joint stock company", "closed joint stock company", "public joint stock company"],
    "gmbh": ["gmbh", "gesellschaft mit beschrankter haftung"],
    "ag": ["ag", "aktiengesellschaft"],
    "sa": ["sa", "s a", "societe anonyme", "sociedad anonima", "sa de cv", "sacv", "sab de cv", "sapi de cv",
           "sal", "saog", "saoc", "psc"],
    "sarl": ["sarl", "s a r l", "societe a responsabilite limitee"],
    "srl": ["srl", "s r l", "societa a responsabilita limitata", "sociedad de responsabilidad limitada"],
    "spa": ["spa", "s p a", "societa per azioni"],
    "bv": ["bv", "b v", "besloten vennootschap"],
    "nv": ["nv", "n v", "naamloze vennootschap"],
    "sas": ["sas", "s a s"],
    "cv": ["cv", "c v"],
    "kft": ["kft"], "doo": ["doo", "d o o"], "sro": ["sro", "s r o"], "oy": ["oy", "oyj"],
    "ab": ["ab"], "as": ["as", "asa"], "aps": ["aps"], "kg": ["kg", "gmbh and co kg", "gmbh co kg"],
}

FORMS = {spelling: name for name, spellings in CLASSES.items() for spelling in spellings}
LONGEST = max(len(spelling.split()) for spelling in FORMS)

# One- and two-letter forms that are also words or initials ("AB Trading", "Co-op", "SA Manpower"):
# they count as a legal form only at the start or the end of a name.
AMBIGUOUS = {spelling for spelling in FORMS if len(spelling.replace(" ", "")) <= 2} | {"company", "est", "as"}
