"""The public agency page shows what workers reported about the agency: only the published figures (cells that
passed suppression, app/reports/figures.py), by year and by what happened, and says why others are not shown."""
from app.reports.models import PublicFigure
from app.registry import expiry


def test_the_agency_page_shows_its_published_figures_by_year_and_what_happened(client, session, make_agency):
    agency, other = make_agency(legal_name="Gulf Dream Manpower"), make_agency(legal_name="Other Overseas")
    year = expiry.today().year
    session.add_all([
        PublicFigure(kind="agency", year=year, subject=str(agency.id), category="fees_paid", reports=7,
                     min_reporters=5),
        PublicFigure(kind="agency", year=year, subject=str(agency.id), category="all", reports=9, min_reporters=5),
        PublicFigure(kind="agency", year=year - 1, subject=str(agency.id), category="documents_kept", reports=6,
                     min_reporters=5),
        PublicFigure(kind="agency", year=year - 9, subject=str(agency.id), category="fees_paid", reports=8,
                     min_reporters=5),
        PublicFigure(kind="agency", year=year, subject=str(other.id), category="wages_withheld", reports=5,
                     min_reporters=5),
        PublicFigure(kind="corridor", year=year, subject="NP-QA", category="debt_bondage", reports=11,
                     min_reporters=5)])
    session.commit()
    page = client.get(f"/agencies/{agency.id}?lang=en").get_data(as_text=True)
    box = page.split('id="reported"')[1].split('id="report"')[0]
    assert f"Reports about this agency in {year}, by what happened" in box
    assert "<th scope=\"row\">Paid fees for the job</th><td>7</td>" in box
    assert "<th scope=\"row\">All reports</th><td>9</td>" in box
    assert f"in {year - 1}, by what happened" in box and "Passport or documents kept</th><td>6</td>" in box
    # Another agency's figures, a corridor's and years long past are not this page's.
    assert "Wages withheld" not in box and "Held by a debt" not in box and str(year - 9) not in box
    assert "at least 5 different workers reported" in box and "No figures are published" not in box


def test_an_agency_without_published_figures_says_why_none_are_shown_in_the_readers_language(client, make_agency):
    agency = make_agency(legal_name="Quiet Overseas")
    box = client.get(f"/agencies/{agency.id}?lang=en").get_data(as_text=True).split('id="reported"')[1]
    assert "No figures are published for this agency." in box and "at least 5 different workers" in box
    spanish = client.get(f"/agencies/{agency.id}?lang=es").get_data(as_text=True).split('id="reported"')[1]
    assert "No figures are published" not in spanish
