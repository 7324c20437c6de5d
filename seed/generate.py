"""Writes the demo data files of seed/ (synthetic: every company and person is invented).

Run `python seed/generate.py` after changing it; the files it writes are committed so that `fairrecruit seed`
needs nothing but the repository. Deterministic: the same script always writes the same files.
"""
import csv
from datetime import date, timedelta
import json
from pathlib import Path
import random

HERE = Path(__file__).resolve().parent
COLUMNS = ("kind", "legal_name", "country", "aliases", "identifiers", "website", "sectors", "certification_status",
           "address", "city", "people", "licence_authority", "licence_number", "licence_type", "licence_status",
           "licence_status_raw", "licence_valid_from", "licence_valid_until", "licence_destinations",
           "licence_sectors")

# Websites of the real authorities and, as plain demo text, what their rules say about fees (to be checked
# against the current rules before any real use: they change).
AUTHORITIES = [
    {"code": "NP-DOFE", "name": "Department of Foreign Employment", "country": "NP",
     "website": "https://dofe.gov.np",
     "fee_law": "Under the free visa, free ticket policy (2015), employers in Malaysia, Qatar, Saudi Arabia, the "
                "UAE, Kuwait, Bahrain and Oman pay the visa and the air ticket, and an agency may charge a worker a "
                "service fee of at most NPR 10,000, against a receipt."},
    {"code": "PH-DMW", "name": "Department of Migrant Workers", "country": "PH", "website": "https://dmw.gov.ph",
     "fee_law": "No placement fee may be charged to domestic workers, nor to workers going to a country whose law "
                "forbids it; otherwise it may not exceed one month's basic salary, against an official receipt."},
    {"code": "BD-BMET", "name": "Bureau of Manpower, Employment and Training", "country": "BD",
     "website": "https://bmet.gov.bd",
     "fee_law": "The government sets the most a worker may be charged to migrate to each country: ask BMET for the "
                "current ceiling for your destination, and get a receipt for every payment."},
    {"code": "ID-BP2MI", "name": "Indonesian Migrant Workers Protection Agency", "country": "ID",
     "website": "https://bp2mi.go.id",
     "fee_law": "Under Law 18/2017, workers in the occupations BP2MI lists (domestic workers, caregivers and "
                "others) may not be charged placement costs."},
    {"code": "IN-PGE", "name": "Protector General of Emigrants", "country": "IN",
     "website": "https://emigrate.gov.in",
     "fee_law": "The Emigration Rules cap the service charge a registered recruiting agent may take from a worker, "
                "against a receipt: ask the Protector of Emigrants for the current cap."},
    {"code": "ET-MOLS", "name": "Ministry of Labour and Skills", "country": "ET",
     "fee_law": "Under Proclamation 923/2016 an agency may not collect any payment from a worker for employment "
                "abroad."},
    {"code": "MM-DOL", "name": "Department of Labour", "country": "MM"},
    {"code": "GT-MINTRAB", "name": "Ministerio de Trabajo y Previsión Social", "country": "GT",
     "website": "https://www.mintrabajo.gob.gt",
     "fee_law": "For H-2A and H-2B visas to the United States, US rules forbid employers, recruiters and their "
                "agents to charge workers any recruitment fee."},
]

# origin -> (authority, main destination, other destinations, sectors, city, agency names, people, licence format)
CORRIDORS = {
    "NP": ("NP-DOFE", "QA", ["AE", "SA", "MY", "KW"], ["construction", "hospitality", "security"], "Kathmandu",
           ["Shikhar Overseas Employment Pvt. Ltd.", "Annapurna Manpower Services Pvt. Ltd.",
            "Bagmati Human Resources Pvt. Ltd.", "Gorkha Global Placement Pvt. Ltd.",
            "Sagarmatha Overseas Recruiting Pvt. Ltd.", "Rara Lake Manpower Pvt. Ltd.",
            "Koshi Career Services Pvt. Ltd.", "Nilgiri Employment Agency Pvt. Ltd."],
           ["Bikash Thapa", "Sunita Gurung", "Prakash Adhikari", "Kamala Rai", "Dipak Karki", "Sarita Tamang",
            "Rajesh Bhandari", "Anita Magar", "Hari Shrestha"], "{n}/076/77"),
    "PH": ("PH-DMW", "SA", ["AE", "QA", "KW", "HK"], ["domestic_work", "healthcare", "construction"], "Manila",
           ["Bayanihan Manpower International Inc.", "Perlas ng Silangan Placement Agency Inc.",
            "Mabuhay Global Staffing Corporation", "Luzon Overseas Recruitment Co., Inc.",
            "Sampaguita Human Resources Inc.", "Visayas Pacific Manpower Corporation",
            "Tagaytay Career Link Inc.", "Bicol Star Employment Services Inc."],
           ["Maria Santos", "Rodrigo Reyes", "Liza Bautista", "Ramon Villanueva", "Grace Mendoza",
            "Eduardo Aquino", "Ma. Cristina Torres", "Jose Ramos", "Ana Cruz"], "DMW-{n:03d}-LB-0315{y}-R"),
    "BD": ("BD-BMET", "MY", ["SA", "AE", "QA", "OM"], ["construction", "manufacturing", "agriculture"], "Dhaka",
           ["Padma Overseas Ltd.", "Meghna Manpower Services Limited", "Sonar Bangla Recruiting Agency",
            "Shapla International Ltd.", "Teesta Human Resource Development Ltd.",
            "Karnaphuli Global Employment Ltd.", "Sundarban Manpower Consultants",
            "Rupali Overseas Services Limited"],
           ["Shahidul Islam", "Farhana Akter", "Anwar Hossain", "Nasrin Begum", "Mizanur Rahman",
            "Selina Chowdhury", "Karim Uddin", "Rahima Khan", "Abdul Miah"], "RL-{n:04d}"),
    "ID": ("ID-BP2MI", "TW", ["MY", "HK", "SG", "KR"], ["electronics", "domestic_work", "fishing"], "Jakarta",
           ["PT Garuda Mitra Sejahtera", "PT Bintang Karya Abadi", "PT Cahaya Nusantara Mandiri",
            "PT Bahari Jaya Sentosa", "PT Pelita Harapan Tenaga Kerja", "PT Lestari Makmur Indonesia",
            "PT Sakti Insan Perkasa", "PT Indah Mitra Global"],
           ["Siti Wijaya", "Budi Santoso", "Dewi Hidayat", "Agus Saputra", "Sri Kurniawan", "Wahyu Pratama",
            "Rina Setiawan", "Joko Nugroho", "Hendra Susanto"], "KEP.{n:03d}/PPTKIS/20{y}"),
    "IN": ("IN-PGE", "AE", ["SA", "QA", "KW", "OM"], ["construction", "hospitality", "transport"], "Kochi",
           ["Malabar Overseas Consultants Pvt. Ltd.", "Deccan Manpower Solutions Pvt. Ltd.",
            "Konkan Global Placements LLP", "Kaveri Human Resources Pvt. Ltd.",
            "Trident Overseas Recruitment Pvt. Ltd.", "Sahyadri Career Services Pvt. Ltd.",
            "Navbharat Manpower Agency", "Coromandel International Staffing Pvt. Ltd."],
           ["Suresh Nair", "Lakshmi Pillai", "Anil Menon", "Meena Iyer", "Vijay Reddy", "Kavita Patel",
            "Ramesh Kumar", "Deepa Das", "Priya Singh"], "B-{n:04d}/KER/PER/1000+/5/{n:04d}/20{y}"),
    "ET": ("ET-MOLS", "LB", ["SA", "AE", "JO", "KW"], ["domestic_work", "cleaning", "hospitality"], "Addis Ababa",
           ["Abay Foreign Employment Agency PLC", "Selam Overseas Employment Agency PLC",
            "Lalibela Private Employment Agency PLC", "Entoto Labour Exchange PLC",
            "Tana Overseas Employment Agency PLC", "Simien Workforce Agency PLC",
            "Genet Foreign Employment Agency PLC", "Awash Employment Services PLC"],
           ["Abebe Bekele", "Tigist Haile", "Dawit Tesfaye", "Hirut Gebre", "Solomon Alemu", "Meron Tadesse",
            "Yohannes Kebede", "Selam Wolde", "Almaz Desta"], "MOLS/PEA/{n:04d}/20{y}"),
    "MM": ("MM-DOL", "TH", ["MY", "SG", "JP"], ["fishing", "agriculture", "food_processing"], "Yangon",
           ["Shwe Yadanar Overseas Employment Agency Co., Ltd.", "Ayeyarwady Manpower Co., Ltd.",
            "Golden Padauk Human Resources Co., Ltd.", "Myitta Overseas Employment Co., Ltd.",
            "Yoma Bright Future Services Co., Ltd.", "Inle Star Overseas Co., Ltd.",
            "Thanlwin Workforce Co., Ltd.", "Bagan Pioneer Employment Co., Ltd."],
           ["Aung Win", "Khin Myint", "Myo Htun", "Thandar Oo", "Kyaw Soe", "Su Lwin", "Zaw Naing", "Nilar Thein",
            "Htet Aung"], "OEA-{n:04d}/20{y}"),
    "GT": ("GT-MINTRAB", "US", ["CA"], ["agriculture", "food_processing", "hospitality"], "Ciudad de Guatemala",
           ["Reclutadora Quetzal Trabajo Justo S.A.", "Agencia Maya de Empleo Temporal S.A.",
            "Atitlán Labor Services S.A.", "Tikal Reclutamiento Internacional S.A.",
            "Ceiba Empleos Agrícolas S.A.", "Xela Migración Laboral S.A.",
            "Petén Trabajadores Temporales S.A.", "Chapín Workforce Solutions S.A."],
           ["José López", "María García", "Luis Pérez", "Ana Hernández", "Carlos Morales", "Rosa Ramírez",
            "Miguel Castillo", "Lucía Méndez", "Jorge Ortiz"], "MINTRAB-RPE-{n:03d}-20{y}"),
}
# Position of each agency in its corridor -> licence status; every status of DOMAIN.md appears.
STATUS_PLAN = {
    "NP": ["valid", "valid", "valid", "expired", "suspended", "valid", "banned", "valid"],
    "PH": ["valid", "valid", "preventive_suspension", "valid", "cancelled", "valid", "valid", "delisted"],
    "BD": ["valid", "valid", "suspended", "valid", "revoked", "valid", "expired", "valid"],
    "ID": ["valid", "valid", "valid", "provisional", "valid", "suspended", "valid", "surrendered"],
    "IN": ["valid", "valid", "expired", "valid", "valid", "cancelled", "valid", "provisional"],
    "ET": ["valid", "valid", "revoked", "valid", "expired", "valid", "banned", "valid"],
    "MM": ["valid", "valid", "valid", "suspended", "valid", "expired", "valid", "valid"],
    "GT": ["valid", "valid", "provisional", "valid", "valid", "expired", "valid", "valid"],
}
RAW = {"valid": "Active", "provisional": "Provisional licence", "expired": "Licence expired",
       "preventive_suspension": "Preventive suspension pending hearing", "suspended": "Suspended",
       "cancelled": "Cancelled", "revoked": "Revoked by order", "delisted": "Delisted",
       "banned": "Blacklisted", "surrendered": "Voluntarily surrendered"}
CERTIFICATION = {("NP", 0): "certified", ("PH", 0): "certified", ("BD", 1): "applicant", ("ID", 0): "accepted",
                 ("IN", 1): "deferred", ("ET", 0): "applicant", ("PH", 3): "rejected", ("MM", 0): "certified",
                 ("NP", 4): "suspended", ("BD", 0): "withdrawn", ("IN", 0): "expired", ("GT", 0): "certified"}
# Extra names some agencies are known by: (origin, position) -> aliases.
ALIASES = {("NP", 0): ["Shikhar Manpower", "शिखर ओभरसिज"], ("NP", 6): ["Rara Manpower Pvt. Ltd."],
           ("BD", 0): ["Padma Overseas Limited", "পদ্মা ওভারসিজ"], ("ET", 6): ["Genet Employment PLC"],
           ("MM", 0): ["Shwe Yadanar Co Ltd", "ရွှေရတနာ"], ("ID", 1): ["PT BKA"],
           ("IN", 6): ["Navbharat Recruiting Agency"], ("PH", 4): ["Sampaguita HR"]}


def agency_rows(rng):
    """Eight agencies per corridor, each with one licence."""
    rows = []
    for origin, (authority, main, others, sectors, city, names, people, number) in CORRIDORS.items():
        for position, name in enumerate(names):
            status = STATUS_PLAN[origin][position]
            start = date(2021, 1, 1) + timedelta(days=rng.randrange(1100))
            until = start + timedelta(days=3 * 365 - 1)
            if status == "valid" and until < date(2026, 12, 31):
                until = date(2027, 1, 1) + timedelta(days=rng.randrange(700))
            if status == "expired":
                until = date(2025, 6, 30) + timedelta(days=rng.randrange(300))
            if status == "valid":
                # Licences in force read as expired after their end date and cannot be imported as valid then:
                # these stay in force for years after the data was written (until 2029 at least).
                until += timedelta(days=2 * 365)
            if status == "provisional":
                start, until = date(2026, 5, 1), date(2028, 4, 30)
            officers = rng.sample(people, 2 + (position % 2))
            roles = ["owner", "director", "authorised representative"]
            chosen_sectors = [sectors[position % len(sectors)]] + ([sectors[(position + 1) % len(sectors)]]
                                                                 if position % 3 == 0 else [])
            destinations = [main] + rng.sample(others, min(len(others), 1 + position % 2))
            rows.append({
                "kind": "agency", "legal_name": name, "country": origin,
                "aliases": "; ".join(ALIASES.get((origin, position), [])),
                "identifiers": f"company_registration:{origin}-{41000 + 37 * position + len(rows)}"
                               + (f"; tax_id:{origin}{600100 + len(rows) * 11}" if position % 2 == 0 else ""),
                "website": f"https://{name.split()[0 if origin != 'ID' else 1].lower()}-agency.example"
                           if position % 3 != 2 else "",
                "sectors": "; ".join(chosen_sectors),
                "certification_status": CERTIFICATION.get((origin, position), ""),
                "address": f"{10 + 7 * position} {rng.choice(['Main Road', 'Ring Road', 'Station Road', 'New Road'])}",
                "city": city,
                "people": "; ".join(f"{p} ({r})" for p, r in zip(officers, roles)),
                "licence_authority": authority,
                "licence_number": number.format(n=100 + 13 * position + len(rows), y=start.year % 100),
                "licence_type": "provisional" if status == "provisional" else ("branch" if position == 5 else "full"),
                "licence_status": status, "licence_status_raw": RAW[status],
                "licence_valid_from": start.isoformat(), "licence_valid_until": until.isoformat(),
                "licence_destinations": "; ".join(destinations),
                "licence_sectors": "; ".join(chosen_sectors),
            })
    return rows


EMPLOYERS = [
    # (name, country, sectors, city, officer)
    ("Al Bidda Contracting W.L.L.", "QA", ["construction"], "Doha", "Khalid Al-Mansouri"),
    ("Lusail Hospitality Group W.L.L.", "QA", ["hospitality"], "Doha", "Fatima Al-Kuwari"),
    ("Pearl Coast Facilities Management W.L.L.", "QA", ["cleaning", "security"], "Doha", "Omar Haddad"),
    ("Najd Building Company", "SA", ["construction"], "Riyadh", "Saad Al-Otaibi"),
    ("Red Sea Home Care Services Co.", "SA", ["domestic_work", "healthcare"], "Jeddah", "Nora Al-Harbi"),
    ("Straits Precision Electronics Sdn. Bhd.", "MY", ["electronics"], "Penang", "Tan Wei Ling"),
    ("Kinabalu Palm Estates Sdn. Bhd.", "MY", ["agriculture"], "Sandakan", "Ahmad Zulkifli"),
    ("Klang Gloves Manufacturing Sdn. Bhd.", "MY", ["manufacturing"], "Klang", "Lim Chee Keong"),
    ("Formosa Circuit Assembly Co., Ltd.", "TW", ["electronics"], "Taoyuan", "Chen Mei-hua"),
    ("Kaohsiung Deep Sea Fishing Co., Ltd.", "TW", ["fishing"], "Kaohsiung", "Lin Chih-ming"),
    ("Desert Rose Hotels and Resorts LLC", "AE", ["hospitality"], "Dubai", "Rashid Al-Falasi"),
    ("Gulf Horizon Construction LLC", "AE", ["construction"], "Abu Dhabi", "Vikram Shetty"),
    ("Cedar Domestic Staffing SARL", "LB", ["domestic_work"], "Beirut", "Rania Khoury"),
    ("Mount Lebanon Cleaning Services SARL", "LB", ["cleaning"], "Jounieh", "Georges Haddad"),
    ("Andaman Seafood Processing Co., Ltd.", "TH", ["food_processing", "fishing"], "Samut Sakhon", "Somchai Wongsa"),
    ("Chao Phraya Orchards Co., Ltd.", "TH", ["agriculture"], "Chanthaburi", "Pranee Suksai"),
    ("Valley Fresh Farms LLC", "US", ["agriculture"], "Yakima", "Dana Whitfield"),
    ("Gulf Shore Crab Processors Inc.", "US", ["food_processing", "fishing"], "Hoopers Island", "Earl Tyler"),
    ("Blue Ridge Resorts Inc.", "US", ["hospitality"], "Asheville", "Megan Porter"),
    ("Kuwait Towers Maintenance Co. W.L.L.", "KW", ["construction", "cleaning"], "Kuwait City", "Yousef Al-Sabah"),
]


def employer_records():
    """Twenty employers in the sectors where abuse is documented, in the corridors' destinations."""
    records = []
    for index, (name, country, sectors, city, officer) in enumerate(EMPLOYERS):
        records.append({
            "kind": "employer", "legal_name": name, "country": country, "sectors": sectors,
            "identifiers": [{"scheme": "company_registration", "value": f"{country}-E{70210 + 97 * index}"}],
            "addresses": [{"line": f"Building {12 + index}, Industrial Area", "city": city, "country": country}],
            "people": [{"name": officer, "role": "principal_officer"}],
            "website": f"https://{name.split()[0].lower()}-{name.split()[1].lower()}.example",
        })
    return records


def relationships(agencies):
    """Each employer uses two or three agencies of the corridors into its country; some agencies use sub-agents."""
    by_destination = {}
    for row in agencies:
        for destination in row["licence_destinations"].split("; "):
            by_destination.setdefault(destination, []).append(row)
    rows = []
    for index, (name, country, sectors, _, _) in enumerate(EMPLOYERS):
        candidates = by_destination.get(country, [])
        for offset in range(min(len(candidates), 2 + index % 2)):
            agency = candidates[(index * 3 + offset * 5) % len(candidates)]
            rows.append({"kind": "employer_uses_agency", "client_name": name, "client_country": country,
                         "provider_name": agency["legal_name"], "provider_country": agency["country"],
                         "origin_country": agency["country"], "destination_country": country,
                         "sector": sectors[0], "since": f"{2022 + offset}-0{1 + index % 9}-01",
                         "until": "2025-12-31" if agency["licence_status"] in ("revoked", "banned") else ""})
    for origin in CORRIDORS:
        mine = [row for row in agencies if row["country"] == origin]
        main = CORRIDORS[origin][1]
        # A licensed agency that relies on a smaller one to find workers in the villages.
        for client, provider in ((mine[0], mine[3]), (mine[1], mine[6])):
            rows.append({"kind": "agency_uses_subagent", "client_name": client["legal_name"],
                         "client_country": origin, "provider_name": provider["legal_name"],
                         "provider_country": origin, "origin_country": origin, "destination_country": main,
                         "sector": "", "since": "2023-04-01", "until": ""})
    return rows


ORGANISATIONS = [
    {"name": "FairRecruit Platform", "kind": "platform", "country": None,
     "users": [{"email": "admin@fairrecruit.example", "name": "Platform Administrator", "role": "admin",
                "password": "demo-admin-2026"}]},
    {"name": "Northwind Apparel Group", "kind": "business", "country": "GB",
     "users": [{"email": "analyst@northwind.example", "name": "Priya Raman", "role": "analyst",
                "password": "demo-analyst-2026"},
               {"email": "admin@northwind.example", "name": "Tomasz Nowak", "role": "admin",
                "password": "demo-northwind-2026"}],
     # The brand's admin gets the day's events in one e-mail the next morning (sent once SMTP_HOST is set).
     "subscriptions": [{"channel": "digest", "user": "admin@northwind.example",
                        "events": ["action_overdue", "licence_expired", "licence_expiring", "new_hit",
                                   "task_due", "tier_changed"]}]},
    {"name": "Nepal Department of Foreign Employment", "kind": "government", "country": "NP",
     "authorities": ["NP-DOFE"],
     "users": [{"email": "registrar@dofe.example", "name": "Ramesh Koirala", "role": "registrar",
                "password": "demo-registrar-2026"}]},
    {"name": "Fair Hire Certification Ltd", "kind": "certification_body", "country": "CH",
     "users": [{"email": "auditor@certify.example", "name": "Elena Rossi", "role": "auditor",
                "password": "demo-auditor-2026"}]},
    # An NGO that receives workers' reports (the public form offers it) and works on them.
    {"name": "Safe Migration Help Desk", "kind": "civil_society", "country": "NP",
     "users": [{"email": "cases@helpdesk.example", "name": "Sita Gurung", "role": "case_handler",
                "password": "demo-casework-2026"}]},
]


def portfolios(agencies):
    """The brand follows the agencies behind its Qatari and Malaysian suppliers, with private notes."""
    by_place = {(row["country"], i % 8): row for i, row in enumerate(agencies)}
    picks = [(("NP", 0), "Main recruiter for our Doha construction supplier; fee survey due in Q1."),
             (("NP", 3), "Licence expired; supplier says renewal is filed. Ask for the receipt."),
             (("NP", 4), "Suspended by DoFE; check the order before any new batch."),
             (("NP", 6), "Banned agency still named by workers at the Doha site."),
             (("BD", 0), "Supplies our Penang glove supplier; workers reported a deposit."),
             (("BD", 2), "")]
    followed = [(by_place[place], note) for place, note in picks]
    return [{"organisation": "Northwind Apparel Group",
             "entities": [{"kind": "agency", "name": row["legal_name"], "country": row["country"],
                           "label": "tier 2" if i % 2 else "tier 1", "note": note}
                          for i, (row, note) in enumerate(followed)]}]


def evidence(agencies, rng):
    """Audits, self-assessments, fee surveys and findings for some agencies: clean ones, and the abuses
    DOMAIN.md lists (worker-paid fees, deposits, passports held, contract substitution)."""
    records = []
    for index, row in enumerate(agencies):
        if index % 3 == 2:
            continue  # a third have no evidence yet: their scores show low coverage
        troubled = index % 5 == 1
        # Some do most things right but keep workers in the dark and without remedy (and some of them use an
        # unlicensed sub-agent): a middling score.
        middling = index % 5 == 3
        practices = {"source": "audit" if index % 2 else "self_assessment", "assessed_on": f"2026-0{1 + index % 9}-15",
                     "fee_survey_done": True, "written_contract": True, "contract_in_worker_language": not (troubled or middling),
                     "contract_days_before_departure": 3 if troubled or middling else 14,
                     "contract_substitution_found": troubled and index % 2 == 1,
                     "documents_retained": troubled and index % 4 == 1, "grievance_mechanism": index % 7 != 3 and not middling,
                     "grievance_channels": 1 if troubled or middling else 2,
                     "data_protection_policy": index % 4 != 0 and not middling,
                     "minimum_age_checked": True, "uses_subagents": index % 4 == 0,
                     "subagents_unlicensed": 1 if (troubled or middling) and index % 4 == 0 else 0,
                     "deposits_demanded": troubled and index % 3 == 0}
        fees = []
        if troubled or index % 6 == 0:
            fees.append({"source": "worker_interviews", "category": "recruitment_fee",
                         "amount": rng.choice([800, 1200, 1500]), "currency": "USD", "paid_by": "worker",
                         "stage": "before_departure", "repaid": index % 6 == 0, "observed_on": "2026-06-01"})
        fees.append({"source": "receipts", "category": "medical", "amount": 60, "currency": "USD",
                     "paid_by": "employer", "stage": "before_departure", "repaid": False, "observed_on": "2026-05-20"})
        findings = [{"principle": "E", "grade": "major", "description": "Contracts handed over at the airport",
                     "found_on": "2026-07-01"}] if troubled else []
        records.append({"kind": "agency", "name": row["legal_name"], "country": row["country"],
                        "practices": practices, "fee_lines": fees, "findings": findings})
    return records


# A regulator's banned-agency list, invented: the banned agencies as a ministry might write them, their owners,
# and agencies that are not in the demo registry. Loaded by the seed so the demo has hits to review.
UNREGISTERED = [("Kalinchowk Dream Overseas Pvt. Ltd.", "NP"), ("Golden Dhow Manpower Supply W.L.L.", "QA"),
                ("Pasig Horizon Placement Agency", "PH")]


def banned_list(agencies):
    """Rows of the demo banned-agency list in the generic-csv layout."""
    rows = []
    banned = [row for row in agencies if row["licence_status"] == "banned"]
    for n, row in enumerate(banned, start=1):
        # The ministry writes legal forms its own way: "Private Limited", "P.L.C.".
        name = row["legal_name"].replace("Pvt. Ltd.", "Private Limited").replace("PLC", "P.L.C.")
        registration = row["identifiers"].split(";")[0].split(":")[1]
        rows.append({"id": f"BAN-{n:03d}", "name": name, "kind": "organization", "aliases": "",
                     "countries": row["country"], "identifiers": f"registration:{registration}",
                     "listed_on": f"2025-0{n}-15", "reason": "Licence banned: workers charged recruitment fees"})
        owner = row["people"].split(";")[0].split(" (")[0].strip()
        given, surname = owner.rsplit(" ", 1)
        rows.append({"id": f"BAN-{n:03d}-P", "name": f"{surname.upper()}, {given}", "kind": "person", "aliases": "",
                     "countries": row["country"], "identifiers": "", "listed_on": f"2025-0{n}-15",
                     "reason": f"Owner of {name}"})
    for n, (name, country) in enumerate(UNREGISTERED, start=len(banned) + 1):
        rows.append({"id": f"BAN-{n:03d}", "name": name, "kind": "organization", "aliases": "", "countries": country,
                     "identifiers": "", "listed_on": "2024-11-30", "reason": "Passports retained; contract substitution"})
    return rows


def write_json(name, value):
    (HERE / name).write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(name, rows, columns):
    with open(HERE / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main():
    rng = random.Random(20261123)
    agencies = agency_rows(rng)
    write_json("authorities.json", AUTHORITIES)
    write_json("organisations.json", ORGANISATIONS)
    write_csv("agencies.csv", agencies, COLUMNS)
    write_json("employers.json", employer_records())
    links = relationships(agencies)
    write_csv("relationships.csv", links, list(links[0]))
    write_json("portfolios.json", portfolios(agencies))
    write_json("evidence.json", evidence(agencies, rng))
    banned = banned_list(agencies)
    write_csv("banned-agencies.csv", banned, list(banned[0]))
    print(f"wrote {len(agencies)} agencies, {len(EMPLOYERS)} employers, {len(links)} relationships to {HERE}")


if __name__ == "__main__":
    main()
