"""Small exports in the layouts survey tools write, made up for the import tests.

Each builder returns the rows of a CSV (header rows first) and the facts the test checks:
how many answers it holds, how many respondents, which questions. The answers are invented
sentences, the people fictional; the layouts follow each tool's documented export.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

PRAISE = [
    "The receptionist found me an appointment the same day, which I did not expect.",
    "Parking at the hospital is impossible after nine in the morning.",
    "My community nurse explained every step and rang back when she said she would.",
    "The wait in the minor injuries unit was over four hours with a crying toddler.",
    "Booking online worked first time and the reminder text was useful.",
    "Nobody told us the clinic had moved to the other side of town.",
    "The physio exercises helped my knee more than the tablets ever did.",
    "We need more evening slots for people who work shifts.",
]
IMPROVE = [
    "Answer the phone before eight so working people can get through.",
    "Put the car park charges on the website before people arrive.",
    "More staff on the ward at night, they were run off their feet.",
    "Send letters in plain English, not hospital jargon.",
    "Let carers stay longer at visiting time.",
    "A proper waiting area for children would help a lot.",
]


@dataclass
class Export:
    name: str
    rows: list[list[str]]
    respondents: int
    answers: int
    questions: set[str] = field(default_factory=set)
    header_rows: int = 1
    preset: str = "Spreadsheet"
    personal_columns: set[str] = field(default_factory=set)

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(self.rows)
        return path


def qualtrics(n: int = 6) -> Export:
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage"]
    labels = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
              "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
              "Recipient Last Name", "Recipient First Name", "Recipient Email",
              "External Data Reference", "Location Latitude", "Location Longitude",
              "Distribution Channel", "User Language"]
    questions = ["Q1", "Q2", "Q3_TEXT"]
    wording = ["How likely are you to recommend us? - Rating",
               "What was good about your visit?", "What could we do better? - Text"]
    rows = [meta + questions, labels + wording,
            [f'{{"ImportId":"{m.lower()}"}}' for m in meta]
            + ['{"ImportId":"QID1"}', '{"ImportId":"QID2_TEXT"}', '{"ImportId":"QID3_TEXT"}']]
    for i in range(n):
        rows.append([f"2024-03-{i + 1:02d} 09:1{i}:00", f"2024-03-{i + 1:02d} 09:2{i}:00",
                     "0", f"81.2.69.{100 + i}", "100", str(300 + i), "True",
                     f"2024-03-{i + 1:02d} 09:2{i}:05", f"R_{i}aBcD{i}xYz", "Okafor", "Chidi",
                     f"chidi.okafor{i}@example.org", "", "50.71", "-2.44", "anonymous", "EN",
                     str(1 + i % 5), PRAISE[i % len(PRAISE)], IMPROVE[i % len(IMPROVE)]])
    return Export("qualtrics", rows, respondents=n, answers=2 * n, header_rows=3,
                  preset="Qualtrics",
                  questions={"What was good about your visit?", "What could we do better? - Text"},
                  personal_columns={"IPAddress", "RecipientLastName", "RecipientFirstName",
                                    "RecipientEmail", "LocationLatitude", "LocationLongitude"})


def qualtrics_german(n: int = 5) -> Export:
    export = qualtrics(n)
    german = ["Startdatum", "Enddatum", "Antworttyp", "IP-Adresse", "Fortschritt",
              "Dauer (in Sekunden)", "Beendet", "Aufgezeichnetes Datum", "Antwort-ID",
              "Nachname des Empfängers", "Vorname des Empfängers", "E-Mail des Empfängers",
              "Externe Datenreferenz", "Breitengrad", "Längengrad", "Verteilungskanal",
              "Sprache", "Wie wahrscheinlich würden Sie uns empfehlen?",
              "Was war gut an Ihrem Besuch?", "Was könnten wir besser machen?"]
    export.rows[1] = german
    export.name = "qualtrics_de"
    export.questions = {"Was war gut an Ihrem Besuch?", "Was könnten wir besser machen?"}
    return export


def qualtrics_legacy(n: int = 5) -> Export:
    names = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "Q1", "Q2"]
    labels = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
              "IPAddress", "Status", "StartDate", "EndDate", "Finished",
              "What was good about your visit?", "What could we do better?"]
    rows = [names, labels]
    for i in range(n):
        rows.append([f"R_legacy{i}", "Default Response Set", "Anonymous", "", "",
                     f"10.0.0.{i + 1}", "0", f"2019-05-0{i + 1} 10:00:00",
                     f"2019-05-0{i + 1} 10:05:00", "1", PRAISE[i], IMPROVE[i % len(IMPROVE)]])
    return Export("qualtrics_legacy", rows, respondents=n, answers=2 * n, header_rows=2,
                  preset="Qualtrics",
                  questions={"What was good about your visit?", "What could we do better?"},
                  personal_columns={"IPAddress", "Name", "EmailAddress"})


def surveymonkey(n: int = 6) -> Export:
    first = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
             "Email Address", "First Name", "Last Name", "Custom Data 1",
             "Which services did you use?", "", "", "What did we do well?",
             "What should we change?"]
    second = ["", "", "", "", "", "", "", "", "", "GP surgery", "Pharmacy",
              "Other (please specify)", "Open-Ended Response", "Open-Ended Response"]
    rows = [first, second]
    for i in range(n):
        rows.append([str(11400000000 + i), "402345678", f"03/14/2024 10:0{i}:11 AM",
                     f"03/14/2024 10:1{i}:42 AM", f"86.1.2.{i + 3}", f"sam.jones{i}@example.com",
                     "Sam", "Jones", "", "GP surgery" if i % 2 else "", "Pharmacy", "",
                     PRAISE[i % len(PRAISE)], IMPROVE[i % len(IMPROVE)]])
    return Export("surveymonkey", rows, respondents=n, answers=2 * n, header_rows=2,
                  preset="SurveyMonkey",
                  questions={"What did we do well?", "What should we change?"},
                  personal_columns={"IP Address", "Email Address", "First Name", "Last Name"})


def smartsurvey(n: int = 40) -> Export:
    rows = [["UserID", "UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended",
             "Tracking Link", "What is your main reason for contacting us?",
             "Is there anything else you would like to tell us?"]]
    for i in range(n):
        other = ["No", "n/a", "Nothing else"][i % 3] if i % 4 == 0 else (
            f"{PRAISE[i % len(PRAISE)]} Visit number {i}.")
        rows.append([str(5000 + i), str(i + 1), "", "", f"92.40.1.{i}", "",
                     f"01/02/2024 12:{i % 60:02d}", f"01/02/2024 12:{(i + 5) % 60:02d}",
                     "Default Web Link", ["Appointment", "Prescription", "Complaint"][i % 3],
                     other])
    return Export("smartsurvey", rows, respondents=n, answers=n, preset="SmartSurvey",
                  questions={"Is there anything else you would like to tell us?"},
                  personal_columns={"Name", "Email", "IP Address"})


def microsoft_forms(n: int = 60) -> Export:
    short = ["Nothing", "Parking", "More staff", "Shorter waits", "Friendlier reception",
             "Nothing really", "Evening clinics", "Parking"]
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
             "How would you rate your visit?", "What one thing would make it better?"]]
    for i in range(n):
        rows.append([str(i + 1), f"3/{1 + i % 28}/24 9:{i % 60:02d}:00",
                     f"3/{1 + i % 28}/24 9:{(i + 3) % 60:02d}:00", "anonymous", "", "",
                     ["Good", "Very good", "Poor"][i % 3], short[i % len(short)]])
    return Export("msforms", rows, respondents=n, answers=n, preset="Microsoft Forms",
                  questions={"What one thing would make it better?"},
                  personal_columns={"Email", "Name"})


def google_forms(n: int = 8) -> Export:
    rows = [["Timestamp", "Email Address", "How was your experience?", "What could we do better?"]]
    for i in range(n):
        # identical rows on purpose: two people can answer alike in the same minute
        rows.append(["2024/03/05 10:15:00 AM GMT", "", "Good", "Nothing"] if i < 3 else
                    [f"2024/03/0{i} 11:0{i}:00 AM GMT", "", "Poor", IMPROVE[i % len(IMPROVE)]])
    return Export("googleforms", rows, respondents=n, answers=n, preset="Google Forms",
                  questions={"What could we do better?"}, personal_columns={"Email Address"})


def citizen_space(n: int = 6) -> Export:
    rows = [["Response ID", "Date submitted", "Response status",
             "What is your postcode?", "Do you agree with the proposal?",
             "Please explain your answer"]]
    for i in range(n):
        rows.append([f"ANON-{1000 + i}-XYZ", f"2024-01-{10 + i} 14:00:00", "Submitted",
                     ["DT1 1AA", "BH15 2BB", "DT4 7CC"][i % 3], ["Yes", "No"][i % 2],
                     PRAISE[i % len(PRAISE)]])
    return Export("citizenspace", rows, respondents=n, answers=n, preset="Citizen Space",
                  questions={"Please explain your answer"})


def snap(n: int = 6) -> Export:
    rows = [["Serial No", "Q1", "Q2", "Q3"],
            ["Serial number", "Which practice do you attend?",
             "What did you like about your visit?", "What could be improved?"]]
    for i in range(n):
        rows.append([str(i + 1), ["Abbey Surgery", "Quay Practice"][i % 2],
                     PRAISE[i % len(PRAISE)], IMPROVE[i % len(IMPROVE)]])
    return Export("snap", rows, respondents=n, answers=2 * n, header_rows=2, preset="Snap Surveys",
                  questions={"What did you like about your visit?", "What could be improved?"})


def jotform(n: int = 6) -> Export:
    rows = [["Submission Date", "Your name", "Tell us about your experience", "Submission ID",
             "Submission IP"]]
    for i in range(n):
        rows.append([f"Mar 0{i + 1}, 2024", "Priya Shah", PRAISE[i % len(PRAISE)],
                     str(5800000000000000000 + i), f"51.9.8.{i}"])
    return Export("jotform", rows, respondents=n, answers=n, preset="JotForm",
                  questions={"Tell us about your experience"},
                  personal_columns={"Your name", "Submission IP"})


def crm_long(n_people: int = 5) -> Export:
    rows = [["Case ID", "Contact ID", "Created on", "Question", "Response", "Owner"]]
    answers = 0
    case = 0
    asked = ["What happened?", "What would you like us to do?", "How did it make you feel?"]
    for person in range(n_people):
        for q in range(1 + person % 3):
            case += 1
            rows.append([f"CAS-{case:04d}", f"CON-{person:03d}", f"2024-02-{person + 1:02d}",
                         asked[q], PRAISE[(person + q) % len(PRAISE)], "Patient Experience"])
            answers += 1
    return Export("crm", rows, respondents=n_people, answers=answers,
                  preset="CRM or case-system",
                  questions={a for a in asked[:min(3, n_people)]})


def paper_form(n: int = 6) -> Export:
    rows = [["Form no", "Date entered", "Entered by", "Q1 What matters most to you?",
             "Q2 Anything else?"]]
    for i in range(n):
        rows.append([str(i + 1), "2024-04-02", "AB", IMPROVE[i % len(IMPROVE)],
                     "" if i % 2 else PRAISE[i % len(PRAISE)]])
    return Export("paper", rows, respondents=n, answers=n + (n + 1) // 2,
                  preset="Typed-up paper form",
                  questions={"Q1 What matters most to you?", "Q2 Anything else?"})


def fft_long(n_people: int = 12) -> Export:
    """Friends and Family Test style: one row per answer, questions in a column."""
    rows = [["Comment ID", "Respondent ID", "Date", "Rating", "FFT question", "FFT answer"]]
    answers = 0
    qs = ["Why did you give that rating?", "What could we do better?", "What was good?"]
    for person in range(n_people):
        for q in range(1 + person % 3):
            answers += 1
            wording = qs[q] if q != 1 or person % 2 else qs[q].replace(" do ", "  do\n")
            rows.append([f"C{answers}", f"RESP {person}", "30/09/2023", str(1 + person % 5),
                         wording, IMPROVE[(person * 3 + q) % len(IMPROVE)]])
    return Export("fft_long", rows, respondents=n_people, answers=answers, questions=set(qs))


ALL_TOOLS = (qualtrics, qualtrics_german, qualtrics_legacy, surveymonkey, smartsurvey,
             microsoft_forms, google_forms, citizen_space, snap, jotform, crm_long, paper_form,
             fft_long)
