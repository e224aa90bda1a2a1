"""The crosswalk shipped with claimledger for Synthea's codes (used when no user map names a
code; user maps override it).

Synthea codes encounters and procedures in SNOMED CT, immunizations in CVX and conditions in
SNOMED CT. Which codes its modules emit most is known from its module files (wellness
encounters, symptom/problem encounters, emergency visits, immunizations, and the chronic and
acute conditions of the default modules). These tables hold those codes with the CPT/HCPCS or
ICD-10-CM code a US biller would use for them. Where the CPT code depends on the patient's age
(preventive visits, 99381-99397), :func:`procedure_for` picks by age on the date of service.
It is a billing-style approximation for synthetic data, not a clinical or official crosswalk.
"""
from __future__ import annotations

# established-patient preventive visits by age band (lower bound in years -> CPT)
PREVENTIVE_BY_AGE = ((65, "99397"), (40, "99396"), (18, "99395"), (12, "99394"), (5, "99393"), (1, "99392"),
                     (0, "99391"))
PREVENTIVE_ENCOUNTERS = {
    "185349003",  # Encounter for check up (procedure)
    "410620009",  # Well child visit (procedure)
    "162673000",  # General examination of patient (procedure)
    "86013001",  # Periodic reevaluation and management of healthy individual (procedure)
}

# SNOMED CT (encounters, procedures) and CVX (immunizations) -> CPT/HCPCS
PROCEDURES = {
    # encounters
    "185345009": "99213",  # Encounter for symptom
    "185347001": "99213",  # Encounter for problem
    "390906007": "99213",  # Follow-up encounter
    "185389009": "99213",  # Follow-up visit
    "281036007": "99213",  # Follow-up consultation
    "308335008": "99213",  # Patient encounter procedure
    "270427003": "99213",  # Patient-initiated encounter
    "394701000": "99213",  # Asthma follow-up
    "698314001": "99243",  # Consultation for treatment
    "11429006": "99242",  # Consultation
    "371883000": "99213",  # Outpatient procedure
    "702927004": "99213",  # Urgent care clinic
    "424441002": "99213",  # Prenatal initial visit
    "424619006": "99213",  # Prenatal visit
    "169762003": "59430",  # Postnatal visit
    "439740005": "99024",  # Postoperative follow-up visit
    "50849002": "99284",  # Emergency room admission
    "4525004": "99283",  # Emergency department patient visit
    "183452005": "99285",  # Emergency hospital admission
    "183460006": "99284",  # Obstetric emergency hospital admission
    "32485007": "99223",  # Hospital admission
    "305408004": "99223",  # Admission to surgical department
    "76464004": "99221",  # Hospital admission, for observation
    "56876005": "H0014",  # Drug rehabilitation and detoxification
    "36228007": "99213",  # Ophthalmic examination and evaluation
    # procedures
    "430193006": "1111F",  # Medication reconciliation
    "710824005": "99483",  # Assessment of health and social care needs
    "171207006": "96127",  # Depression screening
    "454711000124102": "96127",  # Depression screening using PHQ-2
    "715252007": "96127",  # Scoring of PHQ-9
    "428211000124100": "99408",  # Assessment of substance use
    "866148006": "99406",  # Screening for domestic abuse
    "313191000": "96127",  # Assessment of anxiety (GAD-7)
    "160968000": "99406",  # Risk activity involvement assessment
    "73761001": "45378",  # Colonoscopy
    "76601001": "G0123",  # Intramuscular injection (administration)
    "23426006": "94010",  # Measurement of respiratory function
    "252160004": "81025",  # Standard pregnancy test
    "10383002": "59400",  # Childbirth (obstetric care)
    "274804006": "82947",  # Evaluation of blood glucose
    "117015009": "87880",  # Throat culture (rapid strep)
    "33879002": "90471",  # Administration of vaccine
    "47758006": "93000",  # Electrocardiographic procedure
    "127783003": "94729",  # Spirometry
    "24623002": "77067",  # Screening mammography
    "399208008": "71046",  # Plain chest X-ray
    "168594001": "73030",  # Plain X-ray of shoulder
    "5880005": "99213",  # Physical examination
    "91602002": "90791",  # Psychiatric interview and evaluation
    "228557008": "90834",  # Cognitive and behavioral therapy
    "385892002": "99212",  # Clinical observation
    # immunizations (CVX -> vaccine product CPT)
    "140": "90686", "141": "90688", "133": "90670", "113": "90714", "115": "90715", "62": "90649",
    "165": "90651", "08": "90744", "10": "90713", "20": "90700", "49": "90647", "119": "90681",
    "03": "90707", "21": "90716", "83": "90633", "114": "90734", "43": "90746", "121": "90736",
    "33": "90732", "52": "90632", "187": "90750", "207": "91301", "208": "91300",
}

# SNOMED CT conditions -> ICD-10-CM
DIAGNOSES = {
    "444814009": "J06.9",  # Viral sinusitis
    "195662009": "J02.9",  # Acute viral pharyngitis
    "10509002": "J20.9",  # Acute bronchitis
    "43878008": "J02.0",  # Streptococcal sore throat
    "36971009": "J32.9",  # Sinusitis
    "65363002": "H66.90",  # Otitis media
    "59621000": "I10",  # Essential hypertension
    "38341003": "I10",  # Hypertensive disorder
    "44054006": "E11.9",  # Diabetes mellitus type 2
    "15777000": "R73.03",  # Prediabetes
    "55822004": "E78.5",  # Hyperlipidemia
    "162864005": "E66.9",  # Body mass index 30+ (obesity)
    "408512008": "E66.01",  # Body mass index 40+ (severe obesity)
    "271737000": "D64.9",  # Anemia
    "195967001": "J45.909",  # Asthma
    "233678006": "J45.909",  # Childhood asthma
    "13645005": "J44.9",  # Chronic obstructive lung disease
    "185086009": "J44.9",  # Chronic obstructive bronchitis
    "87433001": "J43.9",  # Pulmonary emphysema
    "40055000": "J32.9",  # Chronic sinusitis
    "233604007": "J18.9",  # Pneumonia
    "68226007": "N30.90",  # Acute cystitis
    "301011002": "N39.0",  # Escherichia coli urinary tract infection
    "72892002": "Z34.90",  # Normal pregnancy
    "19169002": "O03.9",  # Miscarriage in first trimester
    "239873007": "M17.9",  # Osteoarthritis of knee
    "201834006": "M19.90",  # Localized, primary osteoarthritis of the hand
    "69896004": "M06.9",  # Rheumatoid arthritis
    "64859006": "M81.0",  # Osteoporosis
    "444470001": "S83.509A",  # Injury of anterior cruciate ligament
    "44465007": "S93.409A",  # Sprain of ankle
    "70704007": "S63.509A",  # Sprain of wrist
    "62106007": "S06.0X0A",  # Concussion with no loss of consciousness
    "284551006": "S61.409A",  # Laceration of hand
    "283371005": "S51.819A",  # Laceration of forearm
    "283385000": "S91.319A",  # Laceration of foot
    "263102004": "S52.509A",  # Fracture subluxation of wrist
    "65966004": "S52.90XA",  # Fracture of forearm
    "16114001": "S82.90XA",  # Fracture of ankle
    "58150001": "S42.009A",  # Fracture of clavicle
    "196416002": "K08.9",  # Impacted molars
    "18718003": "K05.10",  # Gingival disease
    "109570002": "K08.409",  # Primary dental caries
    "237602007": "E88.81",  # Metabolic syndrome X
    "368581000119106": "E11.40",  # Neuropathy due to type 2 diabetes
    "422034002": "E11.319",  # Diabetic retinopathy due to type 2
    "127013003": "E11.22",  # Diabetic renal disease
    "90781000119102": "E11.29",  # Microalbuminuria due to type 2 diabetes
    "431855005": "N18.1",  # Chronic kidney disease stage 1
    "431856006": "N18.2",  # Chronic kidney disease stage 2
    "433144002": "N18.30",  # Chronic kidney disease stage 3
    "53741008": "I25.10",  # Coronary heart disease
    "22298006": "I21.9",  # Myocardial infarction
    "399211009": "I25.2",  # History of myocardial infarction
    "49436004": "I48.91",  # Atrial fibrillation
    "88805009": "I50.9",  # Chronic congestive heart failure
    "230690007": "I63.9",  # Cerebrovascular accident
    "26929004": "G30.9",  # Alzheimer's disease
    "230265002": "G30.1",  # Familial Alzheimer's disease of late onset
    "84757009": "G40.909",  # Epilepsy
    "128613002": "G40.909",  # Seizure disorder
    "35489007": "F32.9",  # Depressive disorder
    "36923009": "F32.9",  # Major depression, single episode
    "370143000": "F33.9",  # Major depressive disorder
    "197480006": "F41.9",  # Anxiety disorder
    "73595000": "Z73.3",  # Stress
    "73438004": "Z56.0",  # Unemployed
    "449868002": "F17.210",  # Smokes tobacco daily
    "5602001": "F11.10",  # Opioid abuse
    "82423001": "G89.29",  # Chronic pain
    "24079001": "L20.9",  # Atopic dermatitis
    "713197008": "D12.6",  # Recurrent rectal polyp
    "254837009": "C50.919",  # Malignant neoplasm of breast
    "93761005": "C18.9",  # Primary malignant neoplasm of colon
    "254637007": "C34.90",  # Non-small cell lung cancer
    "126906006": "C61",  # Neoplasm of prostate
    "232353008": "J30.9",  # Perennial allergic rhinitis
    "446096008": "J30.2",  # Perennial allergic rhinitis with seasonal variation
    "367498001": "J30.2",  # Seasonal allergic rhinitis
    "840539006": "U07.1",  # COVID-19
    "840544004": "Z20.822",  # Suspected COVID-19
    "386661006": "R50.9",  # Fever
    "49727002": "R05.9",  # Cough
    "267036007": "R06.02",  # Dyspnea
    "162397003": "J02.9",  # Pain in throat
}


def procedure_for(code: str, age_years: int | None) -> str | None:
    """The CPT/HCPCS code for a Synthea encounter/procedure/immunization code, or None; a
    preventive visit by the patient's age on the date of service."""
    if code in PREVENTIVE_ENCOUNTERS:
        if age_years is None:
            return None
        return next(cpt for lower, cpt in PREVENTIVE_BY_AGE if age_years >= lower)
    return PROCEDURES.get(code)


def synthetic_npi(key: str) -> str:
    """A deterministic 10-digit NPI with a valid check digit (Luhn over ``80840`` + the first
    nine digits, as NPPES computes it), made from ``key`` (a Synthea provider id). Its first
    digit is 1 like every real NPI; it is flagged as synthetic wherever it is used."""
    import hashlib

    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    body = "1" + f"{digest % 10**8:08d}"
    total = 24  # the constant contribution of the 80840 prefix to the Luhn sum
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return body + str((10 - total % 10) % 10)
