"""Write a deterministic CSV of N synthetic recruitment agencies in the import layout."""
import argparse
import csv
from datetime import date, timedelta
from pathlib import Path
import random
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.registry.names import licence_key, name_key  # noqa: E402
from app.registry.tables import COLUMNS  # noqa: E402
from app.registry.vocab import LICENCE_STATUSES, SECTORS  # noqa: E402

# origin: (authority code, authority name, share of rows, destinations, first names, last names, name words,
#          company suffixes, cities, licence number pattern)
CORRIDORS = {
    "NP": ("NP-DOFE", "Department of Foreign Employment", 22, ["QA", "SA", "MY", "AE", "KW", "BH", "OM", "JP"],
           ["Ram", "Sita", "Hari", "Gita", "Bikash", "Sunita", "Prakash", "Anita", "Rajesh", "Kamala", "Dipak", "Sarita"],
           ["Sharma", "Shrestha", "Thapa", "Gurung", "Tamang", "Rai", "Magar", "Adhikari", "Karki", "Bhandari"],
           ["Himalayan", "Everest", "Annapurna", "Shikhar", "Sagarmatha", "Kathmandu", "Lumbini", "Gorkha", "Janakpur",
            "Makalu", "Bagmati", "Koshi", "Gandaki", "Pashupati", "Manakamana", "Nilgiri", "Dhaulagiri", "Rara"],
           ["Pvt. Ltd.", "Pvt Ltd", "Private Limited"], ["Kathmandu", "Lalitpur", "Pokhara", "Biratnagar", "Birgunj"],
           "{seq}/{y:03d}/{y1:02d}"),
    "PH": ("PH-DMW", "Department of Migrant Workers", 20, ["SA", "AE", "QA", "KW", "HK", "SG", "TW", "JP", "US"],
           ["Maria", "Jose", "Ana", "Juan", "Ma. Cristina", "Rodrigo", "Liza", "Ramon", "Grace", "Eduardo"],
           ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Torres", "Villanueva", "Ramos", "Aquino"],
           ["Luzon", "Visayas", "Mindanao", "Pinoy", "Bayanihan", "Maharlika", "Manila", "Cebu", "Davao", "Sampaguita",
            "Mabuhay", "Bicol", "Ilocos", "Pacific", "Archipelago", "Perlas", "Tagaytay", "Bataan"],
           ["Inc.", "Corporation", "Co., Inc."], ["Manila", "Makati", "Quezon City", "Pasay", "Cebu City"],
           "DMW-{seq:05d}-LB-{d:%m%d%y}-R"),
    "BD": ("BD-BMET", "Bureau of Manpower, Employment and Training", 15, ["SA", "MY", "AE", "QA", "OM", "SG", "KW"],
           ["Mohammad", "Abdul", "Rahima", "Karim", "Nasrin", "Shahidul", "Farhana", "Anwar", "Selina", "Mizanur"],
           ["Rahman", "Hossain", "Islam", "Uddin", "Ahmed", "Chowdhury", "Akter", "Begum", "Khan", "Miah"],
           ["Bengal", "Padma", "Meghna", "Jamuna", "Sonar", "Sylhet", "Chittagong", "Dhaka", "Sundarban", "Shapla",
            "Rupali", "Kohinoor", "Bismillah", "Al-Noor", "Madina", "Teesta", "Karnaphuli", "Barisal"],
           ["Ltd.", "Limited", "Ltd"], ["Dhaka", "Chattogram", "Sylhet", "Khulna", "Rajshahi"], "RL-{seq:04d}"),
    "ID": ("ID-BP2MI", "BP2MI", 12, ["MY", "TW", "HK", "SA", "SG", "KR", "JP"],
           ["Siti", "Budi", "Dewi", "Agus", "Sri", "Wahyu", "Rina", "Joko", "Lestari", "Hendra"],
           ["Wijaya", "Santoso", "Susanto", "Hidayat", "Saputra", "Kurniawan", "Pratama", "Setiawan", "Nugroho"],
           ["Nusantara", "Garuda", "Bintang", "Cahaya", "Mitra", "Sejahtera", "Karya", "Jaya", "Abadi", "Mandiri",
            "Bahari", "Lestari", "Sentosa", "Makmur", "Sakti", "Indah", "Pelita", "Harapan"],
           ["PT", "PT.", "PT"], ["Jakarta", "Surabaya", "Semarang", "Bandung", "Malang"], "KEP-{seq:05d}/{y:04d}"),
    "IN": ("IN-PGE", "Protector General of Emigrants", 15, ["AE", "SA", "QA", "KW", "OM", "BH", "MY", "US"],
           ["Rajesh", "Priya", "Suresh", "Lakshmi", "Anil", "Meena", "Vijay", "Kavita", "Ramesh", "Deepa"],
           ["Kumar", "Nair", "Singh", "Patel", "Reddy", "Pillai", "Menon", "Iyer", "Gupta", "Das"],
           ["Kerala", "Deccan", "Malabar", "Ganga", "Konkan", "Coromandel", "Sagar", "Shakti", "Bharat", "Navbharat",
            "Trident", "Lotus", "Indus", "Vindhya", "Kaveri", "Narmada", "Saraswati", "Sahyadri"],
           ["Pvt. Ltd.", "Private Limited", "LLP"], ["Mumbai", "Kochi", "Chennai", "Hyderabad", "Lucknow"],
           "B-{seq:04d}/{st}/PER/{y:04d}/{n:04d}"),
    "ET": ("ET-MOLS", "Ministry of Labour and Skills", 8, ["SA", "LB", "AE", "JO", "KW", "QA"],
           ["Abebe", "Tigist", "Dawit", "Hirut", "Solomon", "Meron", "Yohannes", "Selam", "Girma", "Almaz"],
           ["Bekele", "Tesfaye", "Haile", "Gebre", "Alemu", "Tadesse", "Mengistu", "Kebede", "Wolde", "Desta"],
           ["Abay", "Selam", "Addis", "Lalibela", "Axum", "Gondar", "Harar", "Entoto", "Awash", "Tana", "Simien",
            "Rift", "Sheba", "Zemen", "Tsehay", "Fana", "Meskel", "Genet"],
           ["PLC", "P.L.C.", "Share Company"], ["Addis Ababa", "Adama", "Bahir Dar", "Dire Dawa", "Hawassa"],
           "MOLS/FEA/{seq:05d}/{y:04d}"),
    "MM": ("MM-DOL", "Department of Labour", 5, ["TH", "MY", "SG", "JP", "KR"],
           ["Aung", "Khin", "Myo", "Thandar", "Kyaw", "Su", "Zaw", "Nilar", "Htet", "Ei"],
           ["Win", "Myint", "Htun", "Oo", "Aung", "Soe", "Lwin", "Naing", "Thein", "Maung"],
           ["Shwe", "Golden", "Ayeyarwady", "Yadanar", "Mandalay", "Bagan", "Thanlwin", "Inle", "Pyin", "Myitta",
            "Padauk", "Sein", "Aung Myay", "Yoma", "Chindwin", "Sittaung", "Kyauk", "Zabu"],
           ["Co., Ltd.", "Company Limited", "Co Ltd"], ["Yangon", "Mandalay", "Mawlamyine", "Bago", "Naypyitaw"],
           "OEA-{seq:04d}/{y:04d}"),
    "GT": ("GT-MINTRAB", "Ministerio de Trabajo y Previsión Social", 3, ["US", "CA", "MX"],
           ["José", "María", "Luis", "Ana", "Carlos", "Rosa", "Miguel", "Lucía", "Jorge", "Elena"],
           ["López", "García", "Pérez", "Hernández", "Morales", "Ramírez", "Castillo", "Méndez", "Ortiz", "Cruz"],
           ["Quetzal", "Maya", "Atitlán", "Tikal", "Petén", "Xela", "Antigua", "Pacaya", "Izabal", "Chapín",
            "Volcán", "Ceiba", "Sololá", "Cobán", "Motagua", "Tecún", "Usumacinta", "Esperanza"],
           ["S.A.", "Sociedad Anónima", "S.A."], ["Ciudad de Guatemala", "Quetzaltenango", "Escuintla", "Cobán"],
           "MINTRAB-RA-{seq:05d}-{y:04d}"),
}
AUTHORITIES = [(origin, code, name) for origin, (code, name, *_) in CORRIDORS.items()]
GENERIC = ["Star", "Global", "International", "Golden", "Crown", "Royal", "United", "Pioneer", "Bright", "New",
           "Victory", "Unique", "Pacific", "Eastern", "Trust", "Rising", "Summit", "Green", "Silver", "Prime",
           "First", "Grand", "Orient", "Alliance", "Harmony", "Liberty", "Noble", "Sunrise", "Diamond", "Ocean"]
TRADES = ["Overseas", "Manpower", "Human Resources", "Employment", "Recruitment", "Manpower Services",
          "Overseas Employment", "Workforce", "Placement", "Recruiting Agency", "HR Consultants",
          "Labour Services", "Staffing", "Career Services", "Overseas Recruitment"]
STREETS = ["Main Road", "Ring Road", "Market Street", "Station Road", "New Road", "Airport Road", "Lake Side",
           "Central Avenue", "Commerce Street", "Tower Lane"]
# Licence statuses with realistic weights; every status in the vocabulary appears.
STATUS_WEIGHTS = {"valid": 55, "provisional": 5, "expired": 14, "preventive_suspension": 2, "suspended": 7,
                  "cancelled": 6, "revoked": 4, "delisted": 3, "banned": 2, "surrendered": 2}
RAW = {"valid": "Active", "expired": "Licence expired", "suspended": "Suspended pending investigation",
       "cancelled": "Cancelled by order", "banned": "Blacklisted", "delisted": "Delisted",
       "preventive_suspension": "Preventive suspension", "revoked": "Revoked", "surrendered": "Voluntarily surrendered",
       "provisional": "Provisional licence"}
assert set(STATUS_WEIGHTS) == set(LICENCE_STATUSES)


def agency_name(rng, origin, taken):
    """A legal name unique (by name key) within its country."""
    words, suffixes, cities = CORRIDORS[origin][6], CORRIDORS[origin][7], CORRIDORS[origin][8]
    base = f"{rng.choice(words)} {rng.choice(GENERIC)} {rng.choice(TRADES)}"
    for n in range(10_000):
        extra = "" if n == 0 else f" {rng.choice(cities)}" + (f" {n}" if n > 1 else "")
        name = f"{base}{extra} {rng.choice(suffixes)}"
        if name_key(name) not in taken:
            taken.add(name_key(name))
            return name
    raise RuntimeError("ran out of names")


def licence_number(rng, origin, seq, start):
    """A licence number in the style of the origin's authority (unique per authority by construction)."""
    pattern = CORRIDORS[origin][9]
    return pattern.format(seq=seq, y=start.year if origin != "NP" else (start.year + 57) % 1000,
                          y1=(start.year + 58) % 100, d=start, st=rng.choice(["MH", "KL", "TN", "UP", "DL"]),
                          n=seq % 10_000)


def row(rng, origin, index, seq, taken):
    """One CSV row (a dict over COLUMNS)."""
    code, destinations, first, last = CORRIDORS[origin][0], CORRIDORS[origin][3], CORRIDORS[origin][4], CORRIDORS[origin][5]
    name = agency_name(rng, origin, taken)
    sectors = rng.sample(SECTORS[:-1], rng.choice((1, 1, 2, 2, 3)))
    if origin in ("NP", "BD", "IN") and "construction" not in sectors and rng.random() < 0.4:
        sectors[0] = "construction"
    if origin in ("PH", "ID", "ET", "MM") and "domestic_work" not in sectors and rng.random() < 0.4:
        sectors[0] = "domestic_work"
    aliases = []
    if rng.random() < 0.2:
        aliases.append(" ".join(w[0] for w in name.split()[:3]).upper() + " " + rng.choice(TRADES))
    if rng.random() < 0.05:
        aliases.append(f"{rng.choice(CORRIDORS[origin][6])} {rng.choice(TRADES)}")
    people = [f"{rng.choice(first)} {rng.choice(last)} (owner)"]
    if rng.random() < 0.5:
        people.append(f"{rng.choice(first)} {rng.choice(last)} ({rng.choice(['director', 'authorised representative'])})")
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    start = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    until = start + timedelta(days=rng.choice((365, 730, 1095)) - 1)
    if status in ("valid", "provisional"):
        # An in-force licence past its end date reads as expired and cannot be imported: these end after 2029.
        until += timedelta(days=14 * 365)
    slug = name_key(name).replace(" ", "")[:20]
    return {
        "kind": "agency", "legal_name": name, "country": origin, "aliases": "; ".join(aliases),
        "identifiers": f"company_registration:{origin}-{100000 + index}"
                       + (f"; tax_id:{origin}T{rng.randrange(10**8):08d}{index}" if rng.random() < 0.6 else ""),
        "website": f"https://{slug}.example" if rng.random() < 0.4 else "",
        "sectors": "; ".join(sectors),
        "certification_status": rng.choice(["applicant", "accepted", "certified", "suspended"]) if rng.random() < 0.1 else "",
        "address": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}", "city": rng.choice(CORRIDORS[origin][8]),
        "people": "; ".join(people),
        "licence_authority": code, "licence_number": licence_number(rng, origin, seq, start),
        "licence_type": rng.choices(["full", "provisional", "branch"], weights=[85, 10, 5])[0],
        "licence_status": status, "licence_status_raw": RAW[status] if rng.random() < 0.5 else "",
        "licence_valid_from": start.isoformat(), "licence_valid_until": until.isoformat(),
        "licence_destinations": "; ".join(rng.sample(destinations, rng.randint(1, min(4, len(destinations))))),
        "licence_sectors": "; ".join(rng.sample(sectors, rng.randint(1, len(sectors)))),
    }


def generate(rows, output, seed=2024):
    """Write `rows` agencies to `output`; returns the path."""
    rng = random.Random(seed)
    origins = list(CORRIDORS)
    weights = [CORRIDORS[o][2] for o in origins]
    taken = {o: set() for o in origins}
    seq = {o: 0 for o in origins}
    numbers = set()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for index in range(rows):
            origin = rng.choices(origins, weights=weights)[0]
            seq[origin] += 1
            record = row(rng, origin, index, seq[origin], taken[origin])
            key = (record["licence_authority"], licence_key(record["licence_number"]))
            assert key not in numbers, key
            numbers.add(key)
            writer.writerow(record)
    return output


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--output", default="bench/out/agencies-100k.csv")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    print(f"wrote {args.rows} rows to {generate(args.rows, args.output, args.seed)}")


if __name__ == "__main__":
    main()
