"""A sample co-production register and a few "you said, we did" actions for the demo project.

Every entry was written for Engage and is fictional, though the partners are the kinds of
organisation a Dorset engagement team works with. The register is deliberately uneven, as
real ones are: Weymouth & Portland and Central Bournemouth see co-production; Poole North,
Bournemouth North and Purbeck are barely reached and never above "consult". About half the
rows leave the portfolio blank so the import suggests one, as it would for a stock-take list.

The rows are committed as `sample_data/activities.csv` (regenerate with
`python -m engage.coproduction.sample`) and the demo imports that file, so the sample goes
through the same import path as an officer's spreadsheet.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engage.changes import Changes
from engage.project import Project

CSV_NAME = "activities.csv"
COLUMNS = ("Title", "Type", "Start date", "End date", "Participation level", "Participants",
           "Localities", "Partners", "Groups reached", "Portfolio", "Themes", "Description",
           "Outcomes", "Evidence")

HW = "Healthwatch Dorset"
DC = "Dorset Council"
BCP = "Bournemouth, Christchurch and Poole Council"
DCH = "Dorset County Hospital NHS Foundation Trust"
DHC = "Dorset HealthCare University NHS Foundation Trust"
UHD = "University Hospitals Dorset NHS Foundation Trust"
SWAST = "South Western Ambulance Service NHS Foundation Trust"
DCA = "Dorset Community Action"


def _row(title, kind, start, end, level, people, places, partners, groups, portfolio, themes,
         description, outcomes="", evidence="") -> dict:
    values = (title, kind, start, end, level, people, places, partners, groups, portfolio,
              themes, description, outcomes, evidence)
    return dict(zip(COLUMNS, (str(v) for v in values), strict=True))


# fmt: off
ACTIVITIES: tuple[dict, ...] = (
    _row("Portland carers' listening café", "outreach", "04/04/2019", "", "consult", 23,
         "Portland", f"{HW}; Chesil Carers Network", "carers; older people; coastal communities",
         "", "Carers", "A monthly café in Easton where unpaid carers talked about respite, "
         "short breaks and getting a GP appointment for the person they look after.",
         "Respite questions passed to the carers' support service; café continues monthly."),
    _row("Weymouth young people's mental health co-design group", "co-design group",
         "15/05/2019", "30/11/2019", "co-design", 14, "Weymouth & Portland",
         f"{DHC}; Weymouth Youth Voice", "children and young people; most deprived 20%",
         "Integrated community and primary care services", "Mental health",
         "Eight sessions in which young people redesigned how the drop-in counselling service "
         "is advertised, booked and run after school hours.",
         "New evening drop-in opened at the youth centre, staffed two nights a week.",
         "weymouth_codesign_notes.pdf"),
    _row("Chesil Beach fishing community health check days", "outreach", "03/06/2019", "",
         "inform", 61, "Weymouth & Portland", f"{DC}; Chesil Fishermen's Association",
         "coastal communities; working-age adults; sex", "Prevention at scale",
         "Healthy lifestyles; Early help", "Health checks and blood pressure tests on the "
         "quayside at landing times, with information about screening.", ""),
    _row("Portland community hospital future: co-produced plan", "workshop", "10/09/2019",
         "31/03/2020", "co-produce", 38, "Weymouth & Portland",
         f"{DHC}; {DC}; Portland Community Partnership",
         "older people; coastal communities; disability", "",
         "Community services; Hospital changes",
         "Residents, staff and councillors jointly agreed which services stay on the island and "
         "ran the public events that explained the plan.",
         "Plan adopted by the board: outpatient clinics and x-ray kept on Portland; "
         "community members sit on the delivery group.", "portland_plan_v3.docx"),
    _row("Bridport and Lyme Regis GP access survey", "survey", "01/02/2019", "28/02/2019",
         "consult", 412, "Bridport; Dorset West", HW, "older people; rural communities",
         "", "GP access", "A paper and online survey on getting through to practices by "
         "phone and the wait for routine appointments.",
         "Results shared with both practices; phone queue messages changed."),
    _row("West Dorset rural transport workshop", "workshop", "12/06/2019", "", "involve", 27,
         "Dorset West; Mid Dorset", f"{DC}; {DCH}; Community Transport West Dorset",
         "rural communities; older people; disability", "One acute network",
         "Travel to services", "Residents without cars mapped journeys to Dorset County "
         "Hospital and worked through options with transport planners.",
         "Volunteer car scheme extended to outpatient appointments."),
    _row("Beaminster dementia-friendly practice design", "co-design group", "07/10/2019",
         "20/01/2020", "co-design", 12, "Dorset West",
         f"{DHC}; Beaminster Dementia Friends", "older people; carers; disability", "",
         "Dementia", "People living with dementia and their families redesigned signage, "
         "waiting areas and appointment reminders at the surgery.", ""),
    _row("Dorchester hospital outpatients online panel", "online", "02/03/2020", "30/06/2020",
         "consult", 187, "Mid Dorset", DCH, "working-age adults; older people", "",
         "Video and telephone consultations", "An online panel asked patients about the "
         "switch to video and telephone outpatient appointments.",
         "Patients can now choose a face-to-face appointment when they book."),
    _row("Mid Dorset citizens' panel on community services", "citizens' panel", "14/09/2020",
         "16/11/2020", "involve", 24, "Mid Dorset; Dorchester", f"{DC}; {DCA}",
         "rural communities; most deprived 20%; age", "Integrated community and primary care "
         "services", "Community services; Joined-up working",
         "A randomly invited panel heard evidence on community nursing and therapy and "
         "made twelve recommendations.", "Nine recommendations accepted in full.",
         "panel_recommendations.pdf"),
    _row("Sherborne pharmacy services drop-in", "outreach", "05/02/2020", "", "inform", 35,
         "Mid Dorset", HW, "older people", "", "Pharmacy",
         "Stall in the market square explaining repeat prescription changes and the "
         "pharmacy advice service.", ""),
    _row("North Dorset Gypsy and Traveller health conversations", "outreach", "19/06/2019",
         "30/09/2019", "involve", 19, "North Dorset",
         f"{DC}; Dorset Travellers' Support Group",
         "Gypsy, Roma and Traveller communities; ethnic minority communities; race", "",
         "GP access; Communication and information", "Visits to sites and stopping places "
         "with a trusted liaison worker to hear about registering with a practice without "
         "a fixed address.", "Practices in Blandford and Gillingham adopted the no-address "
         "registration guidance."),
    _row("Shaftesbury men's health shed sessions", "workshop", "09/10/2019", "11/12/2019",
         "involve", 16, "Shaftesbury", "Shaftesbury Men's Shed",
         "working-age adults; older people; sex; armed forces veterans", "",
         "Healthy lifestyles; Loneliness and isolation", "Men talked about loneliness, "
         "drinking and getting checked while building benches for the surgery garden.", ""),
    _row("Blandford falls prevention co-production", "co-design group", "13/01/2020",
         "15/07/2020", "co-produce", 21, "North Dorset; Blandford",
         f"{DHC}; Age UK North, South and West Dorset", "older people; disability; carers",
         "Prevention at scale", "Early help", "Older people and therapists run the falls "
         "prevention classes together, including who is invited and how.",
         "Class now led jointly by two volunteers and a physiotherapist.", ""),
    _row("Purbeck health and wellbeing survey", "survey", "01/07/2019", "31/08/2019",
         "consult", 238, "Purbeck", DC, "rural communities; older people", "",
         "Wellbeing and self-care", "Questionnaire in libraries, surgeries and online "
         "about staying well in Swanage, Wareham and the villages.", ""),
    _row("East Dorset urgent care options meetings", "public meeting", "18/03/2019",
         "25/03/2019", "consult", 146, "East Dorset; Wimborne; Ferndown", f"{UHD}; {DC}",
         "older people; working-age adults", "One acute network",
         "Urgent and emergency care", "Two evening meetings on options for urgent "
         "treatment in Wimborne and Ferndown.", ""),
    _row("Verwood carers' support group review", "focus group", "22/05/2019", "",
         "involve", 11, "Verwood", f"{HW}; Verwood Carers Together", "carers; older people",
         "", "Carers; Social care and hospital discharge", "Carers reviewed the letters and "
         "phone calls they get when the person they care for leaves hospital.",
         "Discharge letters rewritten with the group."),
    _row("East Dorset digital skills for health", "workshop", "04/11/2019", "09/12/2019",
         "involve", 42, "East Dorset", f"{DCA}; {DC}",
         "older people; disability; rural communities", "", "Digital exclusion; Online access",
         "Volunteers helped people set up the NHS App and online repeat prescriptions, "
         "noting what got in the way.", "Barriers log shared with the digital team."),
    _row("Christchurch dementia carers focus group", "focus group", "16/04/2019", "",
         "consult", 9, "Christchurch", f"{UHD}; Christchurch Dementia Friends",
         "carers; older people", "", "Dementia; Carers", "Carers described the memory "
         "assessment pathway and what would make the wait easier.", ""),
    _row("Highcliffe and Christchurch hospital discharge co-design", "co-design group",
         "02/09/2019", "28/02/2020", "co-design", 17, "Christchurch",
         f"{UHD}; {BCP}; Help and Care", "older people; carers; disability",
         "Integrated community and primary care services",
         "Social care and hospital discharge", "Patients and families designed a "
         "'going home' checklist with ward staff and social workers.",
         "Checklist in use on three wards.", "going_home_checklist.pdf"),
    _row("Kinson and West Howe community health forum", "public meeting", "21/01/2020", "",
         "inform", 52, "Bournemouth North", f"{BCP}; Kinson Community Pantry",
         "most deprived 20%; working-age adults", "", "Housing and living conditions",
         "A forum at the community centre presenting plans for the new health hub.", ""),
    _row("Bournemouth North GP access online questionnaire", "online", "06/07/2020",
         "31/07/2020", "consult", 163, "Bournemouth North", HW,
         "working-age adults; older people", "", "GP access; Online access",
         "Short online questionnaire on telephone triage and online consultations.", ""),
    _row("Boscombe homelessness health drop-ins", "outreach", "08/05/2019", "30/04/2020",
         "involve", 74, "Bournemouth East; Boscombe",
         f"{BCP}; {DHC}; Boscombe Street Support",
         "people experiencing homelessness; people who use drugs or alcohol; "
         "most deprived 20%", "", "Mental health; GP access",
         "Weekly nurse-led drop-ins where people sleeping rough shaped what the clinic "
         "offers and when.", "Drop-in hours moved to mornings; dental referrals added."),
    _row("Southbourne older people's lunch club conversations", "outreach", "17/10/2019", "",
         "consult", 28, "Bournemouth East", "Age UK Bournemouth",
         "older people; people over 80", "", "Loneliness and isolation; Community services",
         "Conversations over lunch about community nursing visits and feeling alone at home.",
         ""),
    _row("Central Bournemouth maternity voices partnership", "co-design group",
         "11/03/2019", "10/03/2020", "co-produce", 31, "Central Bournemouth",
         f"{UHD}; Bournemouth Maternity Voices",
         "pregnancy and maternity; ethnic minority communities; race", "One acute network",
         "Maternity", "Parents and midwives jointly run the maternity voices group and set "
         "its annual priorities.", "Continuity-of-carer team extended to central Bournemouth.",
         "mvp_annual_report.pdf"),
    _row("Bournemouth town centre students' health survey", "survey", "07/10/2019",
         "08/11/2019", "consult", 521, "Central Bournemouth",
         f"{HW}; Bournemouth Students' Union", "children and young people; sexual orientation",
         "", "Mental health; GP access", "Survey of students on registering with a GP "
         "and finding mental health support away from home.", ""),
    _row("Central Bournemouth multilingual health information co-design", "co-design group",
         "03/02/2020", "29/05/2020", "co-design", 18, "Central Bournemouth",
         f"{BCP}; Bournemouth Multicultural Network",
         "ethnic minority communities; migrants and refugees; race", "",
         "Communication and information",
         "Community members rewrote key health leaflets in plain English and five languages.",
         "Leaflets published and used by practices.", "leaflets_final.zip"),
    _row("Poole North health hub information evening", "public meeting", "26/06/2019", "",
         "inform", 44, "Poole North", BCP, "older people; working-age adults", "",
         "Community services", "Presentation of the plans for a health hub in Canford Heath "
         "with questions at the end.", ""),
    _row("Hamworthy and Poole Central family hub workshop", "workshop", "19/11/2019", "",
         "involve", 22, "Poole Central", f"{BCP}; Hamworthy Family Hub",
         "children and young people; most deprived 20%; pregnancy and maternity",
         "Prevention at scale", "Early help; Healthy lifestyles",
         "Parents worked with health visitors on what the new family hub should offer.",
         "Baby weighing and breastfeeding support moved into the hub."),
    _row("Poole hospital changes public meetings", "public meeting", "14/01/2019",
         "28/01/2019", "consult", 310, "Poole Central; Poole Bay; Poole North",
         f"{UHD}; {HW}", "older people; working-age adults", "",
         "Hospital changes; Urgent and emergency care; Travel to services",
         "Three public meetings on moving emergency care between the Poole and "
         "Bournemouth hospital sites.", "Travel concerns fed into the transport plan."),
    _row("Poole Bay ambulance response listening session", "focus group", "12/02/2020", "",
         "consult", 13, "Poole Bay", f"{SWAST}; {HW}", "older people; people over 80", "",
         "Ambulance", "Residents who had waited for an ambulance described what happened "
         "and what information would have helped.", ""),
    _row("Poole Bay coastal loneliness co-production project", "co-design group",
         "01/06/2020", "31/03/2021", "co-produce", 26, "Poole Bay",
         f"{BCP}; Poole Good Neighbours", "older people; coastal communities; disability", "",
         "Loneliness and isolation; Volunteers and community",
         "Older residents and volunteers set up and run a telephone befriending service "
         "during lockdown.", "Befriending service now run by residents with council funding."),
    _row("Dorset-wide Big Ask follow-up survey", "survey", "01/04/2019", "31/05/2019",
         "consult", 1840, "Dorset ICS", f"{HW}; {DC}; {BCP}",
         "older people; working-age adults; children and young people", "",
         "Being listened to", "A county-wide survey asking whether people saw change since "
         "the Big Ask and what still matters most.", "Findings shaped the system's plan."),
    _row("County learning disability health check co-design", "co-design group",
         "09/09/2019", "16/03/2020", "co-design", 15, "Dorset Council; Bournemouth, "
         "Christchurch and Poole", f"{DHC}; People First Dorset",
         "people with a learning disability; autistic people; carers; disability", "",
         "Early help; Communication and information", "Self-advocates redesigned the annual "
         "health check invitation and the easy-read results letter.",
         "New invitation used by all practices.", "easy_read_invite.pdf"),
    _row("Armed forces veterans' mental health workshop", "workshop", "11/11/2019", "",
         "involve", 20, "Dorset ICS", f"{DHC}; Dorset Veterans' Hub",
         "armed forces veterans; working-age adults", "Integrated community and primary care "
         "services", "Mental health", "Veterans worked with clinicians on how the "
         "veterans' mental health pathway is explained and entered.", ""),
    _row("Digital inclusion online workshops during lockdown", "online", "20/04/2020",
         "30/06/2020", "involve", 96, "Dorset ICS", f"{DCA}; Citizens Advice in Dorset",
         "older people; disability; rural communities", "Digital", "Digital exclusion",
         "Weekly online workshops with people new to video calls to find out what helps them "
         "join a video appointment.", "Step-by-step video appointment guide produced."),
    _row("Shared care record citizens' panel", "citizens' panel", "05/10/2020",
         "30/11/2020", "involve", 30, "Dorset ICS", f"{HW}; {DHC}",
         "age; disability; race; sex", "", "Shared care record",
         "A panel weighed the benefits and risks of sharing records between the hospitals, "
         "GPs and social care.", "Panel's conditions written into the information-sharing "
         "agreement."),
    _row("Staff and public workforce listening events", "public meeting", "03/03/2020",
         "10/03/2020", "inform", 85, "Dorset ICS", f"{DCH}; {UHD}; {DHC}",
         "working-age adults", "Leading and working differently", "Staffing",
         "Events explaining recruitment plans and the staffing pressures in community and "
         "hospital services.", ""),
    _row("Weymouth and Dorchester cancer patients' experience group", "focus group",
         "08/07/2020", "", "consult", 12, "Weymouth & Portland; Mid Dorset", DCH,
         "older people; working-age adults", "", "Cancer; Travel to services",
         "Patients who travel to Dorchester for chemotherapy described journeys and waits.",
         ""),
    _row("Swanage community hospital stakeholder briefing", "public meeting", "04/12/2019",
         "", "inform", 40, "Swanage", f"{DHC}; {DC}", "older people", "",
         "Hospital changes", "A briefing on the minor injuries unit's winter opening hours.",
         ""),
    _row("Winter vaccination outreach with faith groups", "outreach", "14/10/2020",
         "18/12/2020", "involve", 230, "Central Bournemouth; Bournemouth East; Poole Central",
         f"{BCP}; Bournemouth Multicultural Network; Poole Faith Forum",
         "ethnic minority communities; religion or belief; older people", "",
         "Early help", "Clinics held in places of worship, planned with faith leaders who "
         "chose times and messengers.", "Uptake rose in the neighbourhoods reached."),
)
# fmt: on


def write_activities_csv(path: str | Path) -> Path:
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(ACTIVITIES)
    return path


def sample_csv_path() -> Path | None:
    """The committed sample file, if the sample_data package is present."""
    try:
        import sample_data
    except ImportError:
        return None
    path = _package_folder(sample_data) / CSV_NAME
    return path if path.exists() else None


def _package_folder(package) -> Path:
    """A package's folder, also when an editable install presents it as a namespace."""
    return Path(next(iter(package.__path__)))


@dataclass(frozen=True)
class SampleAction:
    title: str
    decision: str
    owner: str
    status: str
    portfolio: str
    themes: tuple[str, ...]
    activities: tuple[str, ...]     # activity titles
    search: str                     # words that find supporting comments in the sample
    start: str
    due: str | None = None
    done: str | None = None
    reason: str = ""


ACTIONS: tuple[SampleAction, ...] = (
    SampleAction(
        "Getting to Dorchester for hospital appointments is hard without a car",
        "Volunteer car scheme extended to outpatient appointments; clinic times moved after "
        "10am where the first bus arrives later.", "Head of transport planning, Dorset Council",
        "done", "One acute network", ("Travel to services",),
        ("West Dorset rural transport workshop",
         "Weymouth and Dorchester cancer patients' experience group"),
        "bus hospital", "2019-07-01", "2020-03-31", "2020-02-14"),
    SampleAction(
        "Carers do not know what support exists when someone comes home from hospital",
        "Discharge letters rewritten with carers, naming a contact and the carers' support "
        "service.", "Discharge lead, University Hospitals Dorset", "done",
        "Integrated community and primary care services",
        ("Carers", "Social care and hospital discharge"),
        ("Verwood carers' support group review",
         "Highcliffe and Christchurch hospital discharge co-design"),
        "carer", "2019-06-01", "2020-01-31", "2020-03-02"),
    SampleAction(
        "People cannot get through to their practice by phone at 8am",
        "Practices adding call-back and online requests, with a county standard for phone "
        "answering.", "Primary care commissioning manager", "in progress",
        "Integrated community and primary care services", ("GP access",),
        ("Bridport and Lyme Regis GP access survey",
         "Bournemouth North GP access online questionnaire"),
        "gp appointment", "2020-09-01", "2021-06-30"),
    SampleAction(
        "Older people are being left behind as services move online",
        "Digital champions in libraries and a printed guide to video appointments; phone "
        "booking kept for everyone who wants it.", "Digital inclusion lead", "in progress",
        "Digital", ("Digital exclusion", "Online access"),
        ("East Dorset digital skills for health",
         "Digital inclusion online workshops during lockdown"),
        "online left behind", "2020-05-01", "2020-12-31"),
    SampleAction(
        "Keep a full emergency department at both Poole and Bournemouth",
        "Not taken forward as asked: emergency care is being brought onto one site.",
        "Programme director, acute reconfiguration", "not taken forward",
        "One acute network", ("Hospital changes", "Urgent and emergency care"),
        ("Poole hospital changes public meetings",),
        "emergency Poole", "2019-02-01",
        reason="Clinical review found one major emergency department gives better outcomes "
               "with the staff available; an urgent treatment centre stays at Poole."),
    SampleAction(
        "Young people want mental health support outside school hours",
        "Evening drop-in planned for Bournemouth and Poole on the Weymouth model.",
        "Children and young people's mental health commissioner", "planned",
        "Integrated community and primary care services", ("Mental health",),
        ("Weymouth young people's mental health co-design group",
         "Bournemouth town centre students' health survey"),
        "mental health young", "2021-01-04", "2021-09-30"),
)


def add_sample_activities(project: Project) -> Changes:
    """Import the sample register and add the sample actions (the demo calls this)."""
    from engage.coproduction.importer import import_activities

    path = sample_csv_path()
    if path is None:
        path = write_activities_csv(Path(tempfile.mkdtemp(prefix="engage-sample-")) / CSV_NAME)
    _report, changes = import_activities(project, path)
    changes |= _link_first_consultation(project)
    return changes | add_sample_actions(project)


def _link_first_consultation(project: Project) -> Changes:
    """The county-wide follow-up survey revisits the project's first consultation."""
    from engage.coproduction.store import get_activity, update_activity

    consultations = project.consultations()
    ids = _activity_ids(project)
    title = "Dorset-wide Big Ask follow-up survey"
    if not consultations or title not in ids:
        return Changes()
    activity = get_activity(project, ids[title])
    activity.consultation_ids = [consultations[0]["id"]]
    return update_activity(project, activity)


def _activity_ids(project: Project) -> dict[str, int]:
    from engage.coproduction.store import list_activities

    return {row["title"]: row["id"] for row in list_activities(project)}


def add_sample_actions(project: Project) -> Changes:
    from engage.browse import CommentFilter, fetch_comments
    from engage.coproduction.actions import Action, add_action

    ids = _activity_ids(project)
    changes = Changes()
    for sample in ACTIONS:
        found = fetch_comments(project, CommentFilter(search=sample.search,
                                                      substantive_only=True), 0, 30)
        comment_ids = [row.id for row in found]
        _, changed = add_action(project, Action(
            title=sample.title, decision=sample.decision, owner=sample.owner,
            status=sample.status, reason=sample.reason, portfolio=sample.portfolio,
            start_date=sample.start, due_date=sample.due, done_date=sample.done,
            themes=list(sample.themes), support_comment_ids=comment_ids,
            quote_comment_ids=comment_ids[:2],
            activity_ids=[ids[title] for title in sample.activities if title in ids]))
        changes |= changed
    return changes


def main(argv: list[str] | None = None) -> int:
    """Write the sample register CSV (default: into the sample_data package)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        target = Path(args[0])
    else:
        import sample_data

        target = _package_folder(sample_data) / CSV_NAME
    print(write_activities_csv(target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
