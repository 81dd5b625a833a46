"""TED_EXPORT's codes and element names, mapped onto the stages and eForms codes kommunen uses."""

from __future__ import annotations

from scrapers.records import Stage

# TD_DOCUMENT_TYPE codes; F21–F23 refine them with NOTICE/@TYPE below.
STAGE_BY_DOCUMENT_TYPE = {
    "0": Stage.PLANNING,  # prior information without call for competition
    "P": Stage.PLANNING,  # periodic indicative notice without call
    "B": Stage.PLANNING,  # buyer profile
    "A": Stage.COMPETITION,  # PIN with call for competition
    "M": Stage.COMPETITION,  # periodic indicative notice with call
    "3": Stage.COMPETITION,  # contract notice
    "C": Stage.COMPETITION,  # works concession
    "H": Stage.COMPETITION,  # services concession
    "D": Stage.COMPETITION,  # design contest
    "O": Stage.COMPETITION,  # qualification system with call
    "Q": Stage.COMPETITION,  # qualification system without call
    "7": Stage.RESULT,  # contract award
    "J": Stage.RESULT,  # concession award
    "R": Stage.RESULT,  # results of design contests
    "K": Stage.MODIFICATION,
    "V": Stage.VEAT,
    "I": Stage.CHANGE,  # additional information, corrigendum
}
STAGE_BY_NOTICE_TYPE = {
    "PRI_ONLY": Stage.PLANNING,
    "PRI_REDUCING_TIME_LIMITS": Stage.PLANNING,
    "PER_ONLY": Stage.PLANNING,
    "PER_REDUCING_TIME_LIMITS": Stage.PLANNING,
    "PRI": Stage.PLANNING,
    "PRI_CALL_COMPETITION": Stage.COMPETITION,
    "PER_CALL_COMPETITION": Stage.COMPETITION,
    "CONTRACT": Stage.COMPETITION,
    "AWARD_CONTRACT": Stage.RESULT,
    "CONCESSION_AWARD_CONTRACT": Stage.RESULT,
}
NATURE_BY_CODE = {"1": "works", "2": "supplies", "4": "services"}
PROCEDURE_BY_ELEMENT = {  # PROCEDURE/PT_* → eForms procedure type (BT-105)
    "PT_OPEN": "open",
    "PT_RESTRICTED": "restricted",
    "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call",
    "PT_INVOLVING_NEGOTIATION": "neg-w-call",
    "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_INNOVATION_PARTNERSHIP": "innovation",
    "PT_NEGOTIATED_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION": "neg-w-call",
    "PT_DA_SMALL_CONTRACT": "neg-wo-call",
}
COUNTRY3 = {  # ISO 3166 alpha-2 → alpha-3, as eForms writes countries
    "DE": "DEU", "AT": "AUT", "CH": "CHE", "FR": "FRA", "NL": "NLD", "BE": "BEL", "LU": "LUX",
    "DK": "DNK", "PL": "POL", "CZ": "CZE", "IT": "ITA", "ES": "ESP", "PT": "PRT", "GB": "GBR",
    "UK": "GBR", "IE": "IRL", "SE": "SWE", "FI": "FIN", "NO": "NOR", "EE": "EST", "LV": "LVA",
    "LT": "LTU", "SK": "SVK", "SI": "SVN", "HU": "HUN", "HR": "HRV", "RO": "ROU", "BG": "BGR",
    "GR": "GRC", "EL": "GRC", "CY": "CYP", "MT": "MLT", "IS": "ISL", "LI": "LIE",
}  # fmt: skip
