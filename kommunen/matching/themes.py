"""Words that mean the same in German procurement, and words that mean something else.

A profile names a theme in its own words ("Sprachmittlung"); notices name it in theirs
("Dolmetscherleistungen", "Übersetzung"). RELATED lets each profile word also count the words a
buyer writes for the same thing; FALSE_FRIENDS stops a word counting where it means something
else ("schulische Integrationshilfe" is help for disabled pupils, "Systemintegration" is IT).

Source: compiled by hand for this project from the German labels of the CPV 2008 vocabulary
(../shared/data/codelists/cpv_2008_de_labels.csv: divisions 71, 72, 75, 79, 80, 85, 90, 98) and
the wording of German municipal notices; keyed by theme, not by any one profile, so a profile
that uses a head word of a theme gets its related words. Related words count a little less
than the profile's own word (RELATED_WEIGHT).
"""

from __future__ import annotations

RELATED_WEIGHT = 0.8

RELATED: dict[str, tuple[str, ...]] = {
    # Migration and integration
    "Migration": ("Migranten", "Migrantinnen", "Zuwanderung", "Zugewanderte", "Flüchtlinge", "Geflüchtete",
                  "Asylbewerber", "Asylsuchende", "Schutzsuchende", "Aufenthaltsrecht", "interkulturell",
                  "Ausländerbehörde", "Einwanderung", "ethnische"),
    "Integration": ("Integrationskurs", "Integrationsmanagement", "Flüchtlingssozialarbeit",
                    "Migrationsberatung", "Flüchtlinge", "Geflüchtete"),
    "Sprachmittlung": ("Dolmetscher", "Dolmetschen", "Dolmetschdienst", "Dolmetscherleistungen",
                       "Übersetzung", "Übersetzungsleistungen", "Sprachmittler", "Videodolmetschen"),
    "Dolmetschen": ("Dolmetscher", "Dolmetschdienst", "Übersetzung", "Sprachmittlung", "Sprachmittler"),
    "mehrsprachig": ("Mehrsprachigkeit", "Fremdsprachen", "Übersetzung", "muttersprachlich"),
    # Digital administration
    "Digitalisierung": ("digitale", "E-Akte", "elektronische Akte", "Dokumentenmanagement",
                        "Onlinezugangsgesetz", "OZG", "Fachverfahren", "Fachanwendung", "E-Government",
                        "Softwarelösung"),
    "Informationssystem": ("Fachverfahren", "Fachanwendung", "Softwarelösung", "Datenbank", "Plattform"),
    "Onlinedienst": ("Onlinezugangsgesetz", "OZG", "Online-Antrag", "Bürgerportal", "Serviceportal"),
    "Software": ("Softwarelösung", "Softwarepflege", "Lizenzen", "SaaS", "Fachverfahren", "Fachanwendung"),
    "Scannen": ("Digitalisierung von Akten", "Aktendigitalisierung", "Scandienst", "Archivierung"),
    # Climate and energy
    "Klimaschutz": ("klimaneutral", "Klimaneutralität", "Dekarbonisierung", "Treibhausgas", "CO2",
                    "Energiewende", "Klimaschutzmanagement"),
    "Wärmeplanung": ("Wärmeversorgung", "Wärmekonzept", "Wärmenetz", "Wärmewende", "Nahwärme"),
    # not "energetische": "energetische Sanierung" is building work (CPV 71314300 names the advice)
    "Energieberatung": ("Energieeffizienz", "Energieeffizienzberatung", "Energieaudit", "Energiebericht"),
    "Klimaanpassung": ("Starkregen", "Hitzeschutz", "Überflutungsvorsorge", "Moorschutz", "Wiedervernässung"),
    "Nachhaltigkeit": ("nachhaltig", "Nachhaltigkeitsstrategie", "Umweltplanung", "Umweltverträglichkeit"),
    # Participation and youth
    "Beteiligung": ("Bürgerbeteiligung", "Beteiligungsverfahren", "Öffentlichkeitsbeteiligung",
                    "Bewohnerbeteiligung", "Partizipation", "Quartiersmanagement", "Mitbestimmung",
                    "Aktivierung der Bewohner", "Beteiligungsprozess", "Beteiligungsformat",
                    "Beteiligungskonzept", "Beteiligungsplattform"),
    "Jugendarbeit": ("Jugendsozialarbeit", "Schulsozialarbeit", "Jugendzentrum", "Jugendhilfe",
                     "offene Kinder- und Jugendarbeit", "Jugendbildung"),
    "Demokratieförderung": ("politische Bildung", "Demokratie leben", "Extremismusprävention"),
    # Care for the elderly
    "Pflege": ("Altenpflege", "Seniorenbetreuung", "Tagespflege", "ambulante Pflege", "Pflegeberatung"),
    "Senioren": ("ältere Menschen", "Seniorenarbeit", "Altenhilfe", "Seniorenbetreuung"),
}  # fmt: skip

FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    # "Integration" of disabled pupils or of IT systems is no migration work
    "Integration": ("Integrationshilfe", "Schulbegleitung", "Eingliederungshilfe", "Behinderung",
                    "Inklusion", "Systemintegration", "Schnittstelle", "Integrationsleistungen", "Software",
                    "IT-System", "Datenintegration"),
    "Teilhabe": ("Eingliederungshilfe", "Behinderung", "Teilhabeassistenz", "Bundesteilhabegesetz"),
    # "die beteiligten Schulen", "8 Büros werden beteiligt": the participle means "involved"
    "Beteiligung": ("Beteiligungsgesellschaft", "Kapitalbeteiligung", "Bieterbeteiligung",
                    "Beteiligung am Wettbewerb", "Beteiligung mehrerer", "beteiligt"),
    "digital": ("Digitalfunk", "digitale Unterrichtstafeln", "digitale Tafeln"),
}  # fmt: skip
