# ruff: noqa: E501, RUF001 -- tables of forms, themes and places in several scripts, one entry a line
"""Synthetic organization names: realistic, varied labels with acronyms and aliases in other
languages and scripts, for scale tests and the resolver's benchmark (rng in, data out).

`organization_names(rng, sector=, country_code=, city=)` returns `(name, acronym, names)`, where
`names` has ROR v2's shape: `{"value", "lang", "types"}` with types among label, alias, acronym.
A name is built from a form of its sector in the country's main language ("Institut de {T} de
{P}"), thematic phrases, the city, town or country, people's names and coined brand names; an alias
renders the same form in another language, or in the country's script (Cyrillic, Greek, Arabic,
Chinese, Devanagari) from a small hand-made table of words.
"""

from __future__ import annotations

import random
import re
from functools import cache

import pycountry

SCRIPTS = ("ru", "el", "ar", "zh", "hi")

# country: (main language, script language or "", cities, with each city's script name if any)
COUNTRIES: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "KE": ("en", "", (("Nairobi", ""), ("Mombasa", ""), ("Kisumu", ""), ("Nakuru", ""), ("Eldoret", ""))),
    "UG": ("en", "", (("Kampala", ""), ("Entebbe", ""), ("Gulu", ""), ("Mbarara", ""), ("Jinja", ""))),
    "NG": ("en", "", (("Lagos", ""), ("Abuja", ""), ("Ibadan", ""), ("Kano", ""), ("Enugu", ""), ("Port Harcourt", ""))),
    "GH": ("en", "", (("Accra", ""), ("Kumasi", ""), ("Tamale", ""), ("Cape Coast", ""))),
    "ZA": ("en", "", (("Johannesburg", ""), ("Cape Town", ""), ("Durban", ""), ("Pretoria", ""), ("Stellenbosch", ""))),
    "TZ": ("en", "", (("Dar es Salaam", ""), ("Dodoma", ""), ("Arusha", ""), ("Mwanza", ""))),
    "ET": ("en", "", (("Addis Ababa", ""), ("Bahir Dar", ""), ("Mekelle", ""))),
    "RW": ("en", "", (("Kigali", ""), ("Huye", ""), ("Musanze", ""))),
    "SN": ("fr", "", (("Dakar", ""), ("Saint-Louis", ""), ("Thiès", ""), ("Ziguinchor", ""))),
    "CI": ("fr", "", (("Abidjan", ""), ("Yamoussoukro", ""), ("Bouaké", ""))),
    "CM": ("fr", "", (("Yaoundé", ""), ("Douala", ""), ("Buea", ""))),
    "MA": ("fr", "ar", (("Rabat", "الرباط"), ("Casablanca", "الدار البيضاء"), ("Marrakech", "مراكش"), ("Fès", "فاس"))),
    "TN": ("fr", "ar", (("Tunis", "تونس"), ("Sfax", "صفاقس"), ("Sousse", "سوسة"))),
    "EG": ("en", "ar", (("Cairo", "القاهرة"), ("Alexandria", "الإسكندرية"), ("Giza", "الجيزة"), ("Mansoura", "المنصورة"))),
    "SA": ("en", "ar", (("Riyadh", "الرياض"), ("Jeddah", "جدة"), ("Dammam", "الدمام"))),
    "AE": ("en", "ar", (("Abu Dhabi", "أبوظبي"), ("Dubai", "دبي"), ("Sharjah", "الشارقة"))),
    "FR": ("fr", "", (("Paris", ""), ("Lyon", ""), ("Marseille", ""), ("Toulouse", ""), ("Grenoble", ""), ("Lille", ""), ("Bordeaux", ""), ("Nantes", ""))),
    "BE": ("fr", "", (("Bruxelles", ""), ("Liège", ""), ("Namur", ""))),
    "CH": ("de", "", (("Zürich", ""), ("Basel", ""), ("Bern", ""), ("Luzern", ""))),
    "DE": ("de", "", (("Berlin", ""), ("München", ""), ("Hamburg", ""), ("Köln", ""), ("Frankfurt", ""), ("Stuttgart", ""), ("Leipzig", ""), ("Dresden", ""))),
    "AT": ("de", "", (("Wien", ""), ("Graz", ""), ("Linz", ""), ("Innsbruck", ""))),
    "ES": ("es", "", (("Madrid", ""), ("Barcelona", ""), ("Valencia", ""), ("Sevilla", ""), ("Bilbao", ""), ("Granada", ""))),
    "MX": ("es", "", (("Ciudad de México", ""), ("Guadalajara", ""), ("Monterrey", ""), ("Puebla", ""), ("Mérida", ""))),
    "CO": ("es", "", (("Bogotá", ""), ("Medellín", ""), ("Cali", ""), ("Barranquilla", ""))),
    "AR": ("es", "", (("Buenos Aires", ""), ("Córdoba", ""), ("Rosario", ""), ("Mendoza", ""))),
    "CL": ("es", "", (("Santiago", ""), ("Valparaíso", ""), ("Concepción", ""))),
    "PE": ("es", "", (("Lima", ""), ("Arequipa", ""), ("Cusco", ""))),
    "BR": ("pt", "", (("São Paulo", ""), ("Rio de Janeiro", ""), ("Belo Horizonte", ""), ("Brasília", ""), ("Recife", ""), ("Porto Alegre", ""))),
    "PT": ("pt", "", (("Lisboa", ""), ("Porto", ""), ("Coimbra", ""), ("Braga", ""))),
    "US": ("en", "", (("Boston", ""), ("Seattle", ""), ("Austin", ""), ("Chicago", ""), ("Pittsburgh", ""), ("Atlanta", ""), ("Denver", ""), ("San Diego", ""))),
    "GB": ("en", "", (("London", ""), ("Oxford", ""), ("Cambridge", ""), ("Edinburgh", ""), ("Manchester", ""), ("Bristol", ""))),
    "CA": ("en", "", (("Toronto", ""), ("Montréal", ""), ("Vancouver", ""), ("Ottawa", ""), ("Calgary", ""))),
    "IN": ("en", "hi", (("New Delhi", "नई दिल्ली"), ("Mumbai", "मुंबई"), ("Bengaluru", "बेंगलुरु"), ("Chennai", "चेन्नई"), ("Hyderabad", "हैदराबाद"), ("Pune", "पुणे"), ("Kolkata", "कोलकाता"))),
    "NP": ("en", "hi", (("Kathmandu", "काठमांडू"), ("Pokhara", "पोखरा"))),
    "CN": ("en", "zh", (("Beijing", "北京"), ("Shanghai", "上海"), ("Shenzhen", "深圳"), ("Hangzhou", "杭州"), ("Wuhan", "武汉"), ("Chengdu", "成都"))),
    "TW": ("en", "zh", (("Taipei", "台北"), ("Hsinchu", "新竹"), ("Taichung", "台中"))),
    "SG": ("en", "zh", (("Singapore", "新加坡"),)),
    "RU": ("en", "ru", (("Moscow", "Москва"), ("Saint Petersburg", "Санкт-Петербург"), ("Novosibirsk", "Новосибирск"), ("Kazan", "Казань"), ("Yekaterinburg", "Екатеринбург"))),
    "KZ": ("en", "ru", (("Almaty", "Алматы"), ("Astana", "Астана"), ("Shymkent", "Шымкент"))),
    "GR": ("en", "el", (("Athens", "Αθήνα"), ("Thessaloniki", "Θεσσαλονίκη"), ("Patras", "Πάτρα"), ("Heraklion", "Ηράκλειο"))),
    "CY": ("en", "el", (("Nicosia", "Λευκωσία"), ("Limassol", "Λεμεσός"))),
    "ID": ("en", "", (("Jakarta", ""), ("Bandung", ""), ("Surabaya", ""), ("Yogyakarta", ""))),
    "PH": ("en", "", (("Manila", ""), ("Quezon City", ""), ("Cebu", ""), ("Davao", ""))),
    "VN": ("en", "", (("Hanoi", ""), ("Ho Chi Minh City", ""), ("Da Nang", ""))),
    "JP": ("en", "", (("Tokyo", ""), ("Osaka", ""), ("Kyoto", ""), ("Sendai", ""))),
    "KR": ("en", "", (("Seoul", ""), ("Busan", ""), ("Daejeon", ""))),
    "AU": ("en", "", (("Sydney", ""), ("Melbourne", ""), ("Brisbane", ""), ("Perth", ""), ("Canberra", ""))),
    "NZ": ("en", "", (("Auckland", ""), ("Wellington", ""), ("Christchurch", ""))),
    "PK": ("en", "", (("Islamabad", ""), ("Lahore", ""), ("Karachi", ""))),
}  # fmt: skip

# The country's name in its main language where that is not English, and in its script.
LOCAL_COUNTRY = {
    "SN": "Sénégal", "CI": "Côte d'Ivoire", "CM": "Cameroun", "MA": "Maroc", "TN": "Tunisie",
    "FR": "France", "BE": "Belgique", "CH": "Schweiz", "DE": "Deutschland", "AT": "Österreich",
    "ES": "España", "MX": "México", "CO": "Colombia", "AR": "Argentina", "CL": "Chile",
    "PE": "Perú", "BR": "Brasil", "PT": "Portugal",
}  # fmt: skip
ENGLISH_COUNTRY = {
    "RU": "Russia",
    "KR": "South Korea",
    "VN": "Vietnam",
    "TW": "Taiwan",
    "TZ": "Tanzania",
}
SCRIPT_COUNTRY = {
    "MA": "المغرب", "TN": "تونس", "EG": "مصر", "SA": "السعودية", "AE": "الإمارات", "IN": "भारत",
    "NP": "नेपाल", "CN": "中国", "TW": "台湾", "SG": "新加坡", "RU": "Россия", "KZ": "Казахстан",
    "GR": "Ελλάδα", "CY": "Κύπρος",
}  # fmt: skip

LANGUAGES = ("en", "fr", "es", "pt", "de")
# Thematic phrases in en, fr, es, pt, de; then ru, el, ar, zh, hi where rendered.
THEMES: tuple[tuple[str, ...], ...] = (
    ("Artificial Intelligence", "Intelligence Artificielle", "Inteligencia Artificial", "Inteligência Artificial", "Künstliche Intelligenz", "Искусственного Интеллекта", "Τεχνητής Νοημοσύνης", "الذكاء الاصطناعي", "人工智能", "कृत्रिम बुद्धिमत्ता"),
    ("Data Science", "Science des Données", "Ciencia de Datos", "Ciência de Dados", "Datenwissenschaft", "Науки о Данных", "Επιστήμης Δεδομένων", "علوم البيانات", "数据科学", "डेटा विज्ञान"),
    ("Cybersecurity", "Cybersécurité", "Ciberseguridad", "Cibersegurança", "Cybersicherheit", "Кибербезопасности", "Κυβερνοασφάλειας", "الأمن السيبراني", "网络安全", "साइबर सुरक्षा"),
    ("Robotics", "Robotique", "Robótica", "Robótica", "Robotik", "Робототехники", "Ρομποτικής", "الروبوتات", "机器人", "रोबोटिक्स"),
    ("Digital Rights", "Droits Numériques", "Derechos Digitales", "Direitos Digitais", "Digitale Rechte", "Цифровых Прав", "Ψηφιακών Δικαιωμάτων", "الحقوق الرقمية", "数字权利", "डिजिटल अधिकार"),
    ("Data Ethics", "Éthique des Données", "Ética de Datos", "Ética de Dados", "Datenethik", "Этики Данных", "Ηθικής Δεδομένων", "أخلاقيات البيانات", "数据伦理", "डेटा नैतिकता"),
    ("Machine Learning", "Apprentissage Automatique", "Aprendizaje Automático", "Aprendizado de Máquina", "Maschinelles Lernen", "Машинного Обучения", "Μηχανικής Μάθησης", "تعلم الآلة", "机器学习", "मशीन लर्निंग"),
    ("Computer Science", "Informatique", "Ciencias de la Computación", "Ciência da Computação", "Informatik", "Информатики", "Πληροφορικής", "علوم الحاسوب", "计算机科学", "कंप्यूटर विज्ञान"),
    ("Innovation", "Innovation", "Innovación", "Inovação", "Innovation", "Инноваций", "Καινοτομίας", "الابتكار", "创新", "नवाचार"),
    ("Digital Society", "Société Numérique", "Sociedad Digital", "Sociedade Digital", "Digitale Gesellschaft", "Цифрового Общества", "Ψηφιακής Κοινωνίας", "المجتمع الرقمي", "数字社会", "डिजिटल समाज"),
    ("AI Safety", "Sûreté de l'IA", "Seguridad de la IA", "Segurança da IA", "KI-Sicherheit", "Безопасности ИИ", "Ασφάλειας ΤΝ", "سلامة الذكاء الاصطناعي", "人工智能安全", "एआई सुरक्षा"),
    ("Public Policy", "Politiques Publiques", "Políticas Públicas", "Políticas Públicas", "Öffentliche Politik", "Государственной Политики", "Δημόσιας Πολιτικής", "السياسات العامة", "公共政策", "सार्वजनिक नीति"),
    ("Technology Policy", "Politique Technologique", "Política Tecnológica", "Política Tecnológica", "Technologiepolitik"),
    ("Algorithmic Accountability", "Responsabilité Algorithmique", "Responsabilidad Algorítmica", "Responsabilidade Algorítmica", "Algorithmische Verantwortung"),
    ("Computational Linguistics", "Linguistique Computationnelle", "Lingüística Computacional", "Linguística Computacional", "Computerlinguistik"),
    ("Health Informatics", "Informatique de Santé", "Informática de la Salud", "Informática em Saúde", "Gesundheitsinformatik"),
    ("Open Data", "Données Ouvertes", "Datos Abiertos", "Dados Abertos", "Offene Daten"),
    ("Responsible Computing", "Informatique Responsable", "Computación Responsable", "Computação Responsável", "Verantwortungsvolle Informatik"),
    ("Human Rights", "Droits Humains", "Derechos Humanos", "Direitos Humanos", "Menschenrechte"),
    ("Climate Informatics", "Informatique Climatique", "Informática Climática", "Informática Climática", "Klimainformatik"),
    ("Digital Governance", "Gouvernance Numérique", "Gobernanza Digital", "Governança Digital", "Digitale Governance"),
    ("Information Technology", "Technologies de l'Information", "Tecnologías de la Información", "Tecnologia da Informação", "Informationstechnologie"),
    ("Applied Mathematics", "Mathématiques Appliquées", "Matemáticas Aplicadas", "Matemática Aplicada", "Angewandte Mathematik"),
    ("Labour and Technology", "Travail et Technologie", "Trabajo y Tecnología", "Trabalho e Tecnologia", "Arbeit und Technologie"),
    ("Education Technology", "Technologies Éducatives", "Tecnología Educativa", "Tecnologia Educacional", "Bildungstechnologie"),
    ("Media Literacy", "Éducation aux Médias", "Alfabetización Mediática", "Literacia Mediática", "Medienkompetenz"),
    ("Privacy", "Vie Privée", "Privacidad", "Privacidade", "Privatsphäre"),
    ("Language Technologies", "Technologies du Langage", "Tecnologías del Lenguaje", "Tecnologias da Linguagem", "Sprachtechnologien"),
    ("Agricultural Data", "Données Agricoles", "Datos Agrícolas", "Dados Agrícolas", "Agrardaten"),
    ("Smart Cities", "Villes Intelligentes", "Ciudades Inteligentes", "Cidades Inteligentes", "Intelligente Städte"),
    ("Financial Technology", "Technologie Financière", "Tecnología Financiera", "Tecnologia Financeira", "Finanztechnologie"),
    ("Development Studies", "Études du Développement", "Estudios del Desarrollo", "Estudos do Desenvolvimento", "Entwicklungsforschung"),
    ("Future Studies", "Études Prospectives", "Estudios del Futuro", "Estudos do Futuro", "Zukunftsforschung"),
    ("Internet Governance", "Gouvernance de l'Internet", "Gobernanza de Internet", "Governança da Internet", "Internet-Governance"),
    ("Trustworthy AI", "IA de Confiance", "IA Confiable", "IA Confiável", "Vertrauenswürdige KI"),
    ("Biomedical Engineering", "Génie Biomédical", "Ingeniería Biomédica", "Engenharia Biomédica", "Biomedizintechnik"),
    ("Quantum Computing", "Informatique Quantique", "Computación Cuántica", "Computação Quântica", "Quanteninformatik"),
    ("Social Justice", "Justice Sociale", "Justicia Social", "Justiça Social", "Soziale Gerechtigkeit"),
    ("Cognitive Science", "Sciences Cognitives", "Ciencias Cognitivas", "Ciências Cognitivas", "Kognitionswissenschaft"),
    ("Energy Systems", "Systèmes Énergétiques", "Sistemas Energéticos", "Sistemas Energéticos", "Energiesysteme"),
)  # fmt: skip
SCRIPTED_THEMES = tuple(i for i, theme in enumerate(THEMES) if len(theme) > len(LANGUAGES))
REGIONS = (
    ("African", "Africain", "Africano", "Africano", "Afrikanisches"),
    ("Latin American", "Latino-Américain", "Latinoamericano", "Latino-Americano", "Lateinamerikanisches"),
    ("Asia-Pacific", "Asie-Pacifique", "Asia-Pacífico", "Ásia-Pacífico", "Asiatisch-Pazifisches"),
    ("Mediterranean", "Méditerranéen", "Mediterráneo", "Mediterrâneo", "Mittelmeer"),
    ("Nordic", "Nordique", "Nórdico", "Nórdico", "Nordisches"),
    ("Sahel", "Sahélien", "Saheliano", "Saheliano", "Sahel"),
    ("Andean", "Andin", "Andino", "Andino", "Andines"),
    ("Caribbean", "Caribéen", "Caribeño", "Caribenho", "Karibisches"),
    ("Gulf", "du Golfe", "del Golfo", "do Golfo", "Golf"),
    ("East African", "Est-Africain", "de África Oriental", "da África Oriental", "Ostafrikanisches"),
    ("Southern African", "d'Afrique Australe", "de África Austral", "da África Austral", "Südafrikanisches"),
    ("Pan-European", "Paneuropéen", "Paneuropeo", "Pan-Europeu", "Paneuropäisches"),
    ("Global", "Mondial", "Global", "Global", "Globales"),
    ("Transatlantic", "Transatlantique", "Transatlántico", "Transatlântico", "Transatlantisches"),
    ("South Asian", "Sud-Asiatique", "del Sur de Asia", "do Sul da Ásia", "Südasiatisches"),
    ("Pacific Islands", "des Îles du Pacifique", "de las Islas del Pacífico", "das Ilhas do Pacífico", "Pazifikinsel"),
)  # fmt: skip

# People's names by the language of the country (first names, surnames), for named bodies.
PEOPLE = {
    "africa": (
        ("Wanjiru", "Kofi", "Amara", "Chinedu", "Achieng", "Tendai", "Abebe", "Nana", "Zanele", "Musa", "Fatuma", "Kwame", "Ngozi", "Thabo", "Aisha", "Jomo"),
        ("Otieno", "Mensah", "Okafor", "Nyerere", "Kamau", "Achebe", "Mutua", "Asante", "Ndlovu", "Mbeki", "Okonkwo", "Mwangi", "Boateng", "Adeyemi", "Banda", "Kagame", "Tesfaye", "Odhiambo", "Sisulu", "Nkrumah"),
    ),
    "fr": (
        ("Jean", "Marie", "Amadou", "Fatou", "Claire", "Étienne", "Aminata", "Moussa", "Hélène", "Louis", "Awa", "Pierre"),
        ("Diop", "Ndiaye", "Traoré", "Dubois", "Lefèvre", "Moreau", "Sow", "Koné", "Diallo", "Girard", "Fontaine", "Mercier", "Senghor", "Camara", "Laurent", "Rousseau"),
    ),
    "es": (
        ("José", "María", "Carmen", "Alejandro", "Lucía", "Diego", "Gabriela", "Andrés", "Valentina", "Javier", "Sofía", "Mateo"),
        ("García", "Rodríguez", "Martínez", "López", "Fernández", "Gómez", "Herrera", "Vargas", "Castillo", "Ortega", "Mendoza", "Rojas", "Navarro", "Quispe", "Salazar", "Morales"),
    ),
    "pt": (
        ("João", "Ana", "Luiz", "Beatriz", "Paulo", "Mariana", "Carlos", "Fernanda", "Rafael", "Camila"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ribeiro", "Almeida", "Carvalho", "Barbosa", "Teixeira", "Moura", "Cardoso", "Rocha"),
    ),
    "de": (
        ("Hans", "Anna", "Karl", "Greta", "Lukas", "Sophie", "Friedrich", "Clara", "Max", "Lena"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann", "Zimmermann", "Krause", "Neumann", "Schwarz", "Braun", "Hartmann"),
    ),
    "en": (
        ("James", "Sarah", "Wei", "Priya", "Arjun", "Mei", "Hiroshi", "Siti", "Omar", "Layla", "Dmitri", "Elena", "Nikos", "Grace", "Rahul", "Yuki", "Minh", "Jae"),
        ("Smith", "Chen", "Patel", "Sharma", "Wang", "Li", "Kim", "Tanaka", "Nguyen", "Santoso", "Reyes", "Khan", "Ahmed", "Wilson", "Taylor", "Gupta", "Rao", "Zhang", "Liu", "Park", "Ivanov", "Petrov", "Papadopoulos", "Haddad", "Mansour", "Farouk", "Okoro", "Murphy", "Clarke", "Bose"),
    ),
}  # fmt: skip
PREFIXES = [
    "Neu",
    "Quant",
    "Syn",
    "Lum",
    "Aur",
    "Vex",
    "Kor",
    "Zen",
    "Nim",
    "Ori",
    "Tal",
    "Ver",
    "Cyg",
    "Hel",
    "Mir",
    "Sol",
    "Nov",
    "Axi",
    "Bri",
    "Dat",
    "Kal",
    "Pyx",
    "Tern",
    "Volt",
    "Ark",
    "Sena",
    "Iri",
    "Obi",
    "Ula",
    "Rhe",
]
MIDDLES = ("", "", "a", "o", "i", "el", "an", "or", "is")
# Whole syllables, each three letters apart from the others, so no two brands are one typo apart.
INFIXES = ("", "", "", "van", "lor", "mik", "tes", "dub", "gro")
SUFFIXES = ["ra", "on", "ix", "ify", "io", "ex", "ent", "ia", "os", "ara", "um", "ly", "ica", "wise", "mind", "loop", "grid", "byte", "sense", "works", "tek", "gen", "ova", "ant"]  # fmt: skip

# Forms of each sector; most name a city or town, a country, a person or a brand, as real
# names carry a distinctive element (a regional forum is named after the city that hosts it,
# as the Paris Peace Forum is). {P} the city or town, {C} the country, {N} a person, {X} a coined name,
# {R} a region, {T} and {U} themes; one template per language, aligned across languages.
FORMS: dict[str, tuple[dict[str, str], ...]] = {
    "academia": (
        {"en": "{P} University of {T}", "fr": "Université de {T} de {P}", "es": "Universidad de {T} de {P}", "pt": "Universidade de {T} de {P}", "de": "Universität für {T} {P}", "ru": "Университет {T} {P}", "el": "Πανεπιστήμιο {T} {P}", "ar": "جامعة {P} لـ{T}", "zh": "{P}{T}大学", "hi": "{P} {T} विश्वविद्यालय"},
        {"en": "{N} University of {T}", "fr": "Université {N} de {T}", "es": "Universidad {N} de {T}", "pt": "Universidade {N} de {T}", "de": "{N}-Universität für {T}"},
        {"en": "{P} Institute of {T}", "fr": "Institut de {T} de {P}", "es": "Instituto de {T} de {P}", "pt": "Instituto de {T} de {P}", "de": "Institut für {T} {P}", "ru": "Институт {T} {P}", "el": "Ινστιτούτο {T} {P}", "ar": "معهد {P} لـ{T}", "zh": "{P}{T}研究所", "hi": "{P} {T} संस्थान"},
        {"en": "{N} School of {T}", "fr": "École {N} de {T}", "es": "Escuela {N} de {T}", "pt": "Escola {N} de {T}", "de": "{N}-Hochschule für {T}"},
        {"en": "{P} Centre for {T} and {U} Research", "fr": "Centre de Recherche en {T} et {U} de {P}", "es": "Centro de Investigación en {T} y {U} de {P}", "pt": "Centro de Pesquisa em {T} e {U} de {P}", "de": "Forschungszentrum für {T} und {U} {P}", "ru": "Центр Исследований {T} и {U} {P}", "el": "Κέντρο Έρευνας {T} και {U} {P}", "ar": "مركز {P} لأبحاث {T} و{U}", "zh": "{P}{T}与{U}研究中心", "hi": "{P} {T} और {U} अनुसंधान केंद्र"},
        {"en": "{N} Institute for {T} and {U}", "fr": "Institut {N} pour {T} et {U}", "es": "Instituto {N} para {T} y {U}", "pt": "Instituto {N} para {T} e {U}", "de": "{N}-Institut für {T} und {U}"},
    ),
    "civil_society": (
        {"en": "Centre for {T} {P}", "fr": "Centre pour {T} {P}", "es": "Centro para {T} {P}", "pt": "Centro para {T} {P}", "de": "Zentrum für {T} {P}", "ru": "Центр {T} {P}", "el": "Κέντρο {T} {P}", "ar": "مركز {T} {P}", "zh": "{P}{T}中心", "hi": "{P} {T} केंद्र"},
        {"en": "{P} {T} Initiative", "fr": "Initiative {T} {P}", "es": "Iniciativa {T} {P}", "pt": "Iniciativa {T} {P}", "de": "Initiative {T} {P}"},
        {"en": "{P} Coalition for {T} and {U}", "fr": "Coalition de {P} pour {T} et {U}", "es": "Coalición de {P} por {T} y {U}", "pt": "Coalizão de {P} por {T} e {U}", "de": "Bündnis {P} für {T} und {U}"},
        {"en": "{N} Centre for {T}", "fr": "Centre {N} pour {T}", "es": "Centro {N} de {T}", "pt": "Centro {N} de {T}", "de": "{N}-Zentrum für {T}"},
        {"en": "{C} {T} and {U} Alliance", "fr": "Alliance {T} et {U} {C}", "es": "Alianza {T} y {U} {C}", "pt": "Aliança {T} e {U} {C}", "de": "Allianz {T} und {U} {C}", "ru": "Альянс {T} и {U} {C}", "el": "Συμμαχία {T} και {U} {C}", "ar": "تحالف {T} و{U} {C}", "zh": "{C}{T}与{U}联盟", "hi": "{C} {T} और {U} गठबंधन"},
        {"en": "{T} Watch {P}", "fr": "Observatoire {T} {P}", "es": "Observatorio {T} {P}", "pt": "Observatório {T} {P}", "de": "{T}-Beobachtungsstelle {P}"},
        {"en": "{P} Network for {T} and {U}", "fr": "Réseau {P} pour {T} et {U}", "es": "Red {P} de {T} y {U}", "pt": "Rede {P} de {T} e {U}", "de": "Netzwerk {P} für {T} und {U}"},
    ),
    "government": (
        {"en": "{C} Ministry of {T} and {U}", "fr": "Ministère de {T} et {U} {C}", "es": "Ministerio de {T} y {U} {C}", "pt": "Ministério de {T} e {U} {C}", "de": "Ministerium für {T} und {U} {C}", "ru": "Министерство {T} и {U} {C}", "el": "Υπουργείο {T} και {U} {C}", "ar": "وزارة {T} و{U} {C}", "zh": "{C}{T}与{U}部", "hi": "{C} {T} और {U} मंत्रालय"},
        {"en": "National {T} and {U} Agency of {C}", "fr": "Agence Nationale de {T} et {U} {C}", "es": "Agencia Nacional de {T} y {U} {C}", "pt": "Agência Nacional de {T} e {U} {C}", "de": "Nationale Agentur für {T} und {U} {C}", "ru": "Национальное Агентство {T} и {U} {C}", "el": "Εθνική Υπηρεσία {T} και {U} {C}", "ar": "الوكالة الوطنية لـ{T} و{U} {C}", "zh": "{C}国家{T}与{U}局", "hi": "{C} राष्ट्रीय {T} और {U} एजेंसी"},
        {"en": "{P} Office for {T} and {U}", "fr": "Bureau de {T} et {U} de {P}", "es": "Oficina de {T} y {U} de {P}", "pt": "Escritório de {T} e {U} de {P}", "de": "Amt für {T} und {U} {P}"},
        {"en": "{C} Commission on {T} and {U}", "fr": "Commission {T} et {U} {C}", "es": "Comisión de {T} y {U} {C}", "pt": "Comissão de {T} e {U} {C}", "de": "Kommission für {T} und {U} {C}"},
        {"en": "{P} City {T} Authority", "fr": "Autorité de {T} de la Ville de {P}", "es": "Autoridad de {T} de la Ciudad de {P}", "pt": "Autoridade de {T} da Cidade de {P}", "de": "Behörde für {T} der Stadt {P}"},
    ),
    "ai_safety_institute": (
        {"en": "{C} AI Safety Institute for {T} and {U}", "fr": "Institut de Sûreté de l'IA pour {T} et {U} {C}", "es": "Instituto de Seguridad de la IA para {T} y {U} {C}", "pt": "Instituto de Segurança da IA para {T} e {U} {C}", "de": "KI-Sicherheitsinstitut für {T} und {U} {C}", "ru": "Институт Безопасности ИИ для {T} и {U} {C}", "el": "Ινστιτούτο Ασφάλειας ΤΝ για {T} και {U} {C}", "ar": "معهد سلامة الذكاء الاصطناعي لـ{T} و{U} {C}", "zh": "{C}{T}与{U}人工智能安全研究院", "hi": "{C} {T} और {U} एआई सुरक्षा संस्थान"},
        {"en": "{P} Institute for {T} and AI Safety", "fr": "Institut de {T} et de Sûreté de l'IA de {P}", "es": "Instituto de {T} y Seguridad de la IA de {P}", "pt": "Instituto de {T} e Segurança da IA de {P}", "de": "Institut für {T} und KI-Sicherheit {P}"},
        {"en": "{N} Centre for AI Safety and {T}", "fr": "Centre {N} pour la Sûreté de l'IA et {T}", "es": "Centro {N} de Seguridad de la IA y {T}", "pt": "Centro {N} de Segurança da IA e {T}", "de": "{N}-Zentrum für KI-Sicherheit und {T}"},
        {"en": "{P} {T} Safety Institute", "fr": "Institut de Sécurité {T} {P}", "es": "Instituto de Seguridad {T} {P}", "pt": "Instituto de Segurança {T} {P}", "de": "Sicherheitsinstitut für {T} {P}", "ru": "Институт Безопасности {T} {P}", "el": "Ινστιτούτο Ασφάλειας {T} {P}", "ar": "معهد أمان {T} {P}", "zh": "{P}{T}安全研究院", "hi": "{P} {T} सुरक्षा संस्थान"},
    ),
    "industry": (
        {"en": "{X} Technologies", "fr": "{X} Technologies", "es": "{X} Tecnologías", "pt": "{X} Tecnologias", "de": "{X} Technologien"},
        {"en": "{X} AI", "de": "{X} KI", "fr": "{X} IA", "es": "{X} IA", "pt": "{X} IA"},
        {"en": "{N} {T} Labs", "fr": "Laboratoires {N} de {T}", "es": "Laboratorios {N} de {T}", "pt": "Laboratórios {N} de {T}", "de": "{N} {T}-Labore"},
        {"en": "{X} {T} Solutions", "fr": "{X} Solutions de {T}", "es": "{X} Soluciones de {T}", "pt": "{X} Soluções de {T}", "de": "{X} {T}-Lösungen"},
        {"en": "{P} {X} Systems", "fr": "{X} Systèmes {P}", "es": "{X} Sistemas {P}", "pt": "{X} Sistemas {P}", "de": "{X} Systeme {P}"},
    ),
    "intergovernmental": (
        {"en": "{P} {R} Forum on {T} and {U}", "fr": "Forum {R} de {P} sur {T} et {U}", "es": "Foro {R} de {P} sobre {T} y {U}", "pt": "Fórum {R} de {P} sobre {T} e {U}", "de": "{R} Forum {P} für {T} und {U}"},
        {"en": "{R} Commission for {T} and {U}", "fr": "Commission {R} pour {T} et {U}", "es": "Comisión {R} para {T} y {U}", "pt": "Comissão {R} para {T} e {U}", "de": "{R} Kommission für {T} und {U}"},
        {"en": "{R} {T} Partnership {P}", "fr": "Partenariat {R} pour {T} {P}", "es": "Asociación {R} de {T} {P}", "pt": "Parceria {R} de {T} {P}", "de": "{R} Partnerschaft für {T} {P}"},
    ),
    "philanthropy": (
        {"en": "{N} Foundation of {P}", "fr": "Fondation {N} de {P}", "es": "Fundación {N} de {P}", "pt": "Fundação {N} de {P}", "de": "{N}-Stiftung {P}"},
        {"en": "{N} Foundation for {T}", "fr": "Fondation {N} pour {T}", "es": "Fundación {N} para {T}", "pt": "Fundação {N} para {T}", "de": "{N}-Stiftung für {T}"},
        {"en": "{P} Community Fund for {T}", "fr": "Fonds Communautaire de {T} de {P}", "es": "Fondo Comunitario de {T} de {P}", "pt": "Fundo Comunitário de {T} de {P}", "de": "Gemeinschaftsfonds für {T} {P}"},
        {"en": "{N} Trust for {T} and {U}", "fr": "Fonds {N} pour {T} et {U}", "es": "Fideicomiso {N} para {T} y {U}", "pt": "Fundo {N} para {T} e {U}", "de": "{N}-Treuhand für {T} und {U}"},
    ),
    "media": (
        {"en": "{P} {T} Review", "fr": "Revue de {T} de {P}", "es": "Revista de {T} de {P}", "pt": "Revista de {T} de {P}", "de": "{P} Rundschau für {T}"},
        {"en": "{N} {T} Observer", "fr": "L'Observateur {N} de {T}", "es": "El Observador {N} de {T}", "pt": "O Observador {N} de {T}", "de": "{N} {T}-Beobachter"},
        {"en": "{X} Media", "fr": "{X} Médias", "es": "{X} Medios", "pt": "{X} Mídia", "de": "{X} Medien"},
        {"en": "{C} Journal of {T} and {U}", "fr": "Journal de {T} et {U} {C}", "es": "Diario de {T} y {U} {C}", "pt": "Jornal de {T} e {U} {C}", "de": "Zeitschrift für {T} und {U} {C}"},
    ),
}  # fmt: skip
# Towns beyond the table's cities, made of a stem and an ending in the country's language or
# script (Latin spelling, script spelling or ""): a directory of 100,000 organizations spans
# thousands of localities, not the few hundred cities of the table.
TOWN_PARTS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "en": (
        (("Ash", ""), ("Brook", ""), ("Clay", ""), ("Dun", ""), ("Elm", ""), ("Fair", ""), ("Green", ""), ("Hay", ""), ("Kings", ""), ("Mill", ""), ("Oak", ""), ("Red", ""), ("Stone", ""), ("Wes", "")),
        (("ford", ""), ("field", ""), ("wood", ""), ("ton", ""), ("bury", ""), ("ham", ""), ("well", ""), ("dale", "")),
    ),
    "africa": (
        (("Ki", ""), ("Ma", ""), ("Nya", ""), ("Bu", ""), ("Mo", ""), ("Ka", ""), ("Lu", ""), ("Ru", ""), ("Ndo", ""), ("Si", ""), ("Tu", ""), ("Wa", "")),
        (("kuyu", ""), ("rangi", ""), ("hamba", ""), ("lenge", ""), ("sombe", ""), ("bogo", ""), ("nzini", ""), ("tete", "")),
    ),
    "fr": (
        (("Beau", ""), ("Mont", ""), ("Ville", ""), ("Roche", ""), ("Saint-Mar", ""), ("Font", ""), ("Chateau", ""), ("Bel", ""), ("Haut", ""), ("Clair", ""), ("Pont", ""), ("Val", "")),
        (("mont", ""), ("ville", ""), ("fort", ""), ("lieu", ""), ("bourg", ""), ("court", ""), ("champ", ""), ("mare", "")),
    ),
    "es": (
        (("Villa", ""), ("San ", ""), ("Santa ", ""), ("Monte", ""), ("Valle", ""), ("Puerto ", ""), ("Río", ""), ("Agua", ""), ("Peña", ""), ("Torre", ""), ("Campo", ""), ("Sierra", "")),
        (("rrosa", ""), ("verde", ""), ("blanca", ""), ("lago", ""), ("mar", ""), ("nueva", ""), ("alta", ""), ("real", "")),
    ),
    "pt": (
        (("Vila ", ""), ("São ", ""), ("Santa ", ""), ("Monte", ""), ("Vale", ""), ("Porto ", ""), ("Rio", ""), ("Água", ""), ("Pedra", ""), ("Serra", ""), ("Campo", ""), ("Barra", "")),
        (("nova", ""), ("verde", ""), ("branca", ""), ("mar", ""), ("alegre", ""), ("alta", ""), ("real", ""), ("bela", "")),
    ),
    "de": (
        (("Alt", ""), ("Neu", ""), ("Ober", ""), ("Unter", ""), ("Bad ", ""), ("Wald", ""), ("Rosen", ""), ("Hoch", ""), ("Linden", ""), ("Stein", ""), ("Grün", ""), ("Mühl", "")),
        (("dorf", ""), ("bach", ""), ("heim", ""), ("feld", ""), ("hausen", ""), ("berg", ""), ("stadt", ""), ("au", "")),
    ),
    "ru": (
        (("Novo", "Ново"), ("Belo", "Бело"), ("Krasno", "Красно"), ("Zeleno", "Зелено"), ("Verkhne", "Верхне"), ("Nizhne", "Нижне"), ("Staro", "Старо"), ("Yasno", "Ясно"), ("Lesno", "Лесно"), ("Ozerno", "Озерно"), ("Pervo", "Перво"), ("Svetlo", "Светло")),
        (("gorsk", "горск"), ("grad", "град"), ("ozersk", "озерск"), ("dar", "дар"), ("mirsk", "мирск"), ("vka", "вка"), ("borsk", "борск"), ("polye", "полье")),
    ),
    "el": (
        (("Kalo", "Καλό"), ("Neo", "Νέο"), ("Palaio", "Παλαιό"), ("Agio", "Άγιο"), ("Mega", "Μεγά"), ("Xero", "Ξηρό"), ("Petro", "Πετρό"), ("Ano", "Άνω"), ("Kato", "Κάτω"), ("Mavro", "Μαυρό"), ("Aspro", "Ασπρό"), ("Kryo", "Κρυό")),
        (("chori", "χωρι"), ("poli", "πολη"), ("kampos", "καμπος"), ("vrysi", "βρυση"), ("limni", "λιμνη"), ("kastro", "καστρο"), ("chora", "χωρα"), ("pyrgos", "πυργος")),
    ),
    "ar": (
        (("Bir ", "بئر "), ("Ain ", "عين "), ("Wadi ", "وادي "), ("Ras ", "رأس "), ("Tell ", "تل "), ("Kafr ", "كفر "), ("Beni ", "بني "), ("Sidi ", "سيدي "), ("Qasr ", "قصر "), ("Dar ", "دار "), ("Jabal ", "جبل "), ("Bab ", "باب ")),
        (("Hassan", "حسن"), ("Salem", "سالم"), ("Nour", "نور"), ("Karim", "كريم"), ("Zaid", "زيد"), ("Hamra", "الحمراء"), ("Ward", "الورد"), ("Tamr", "التمر")),
    ),
    "zh": (
        (("Qing", "青"), ("Jin", "金"), ("Long", "龙"), ("Bai", "白"), ("Dong", "东"), ("Xi", "西"), ("Nan", "南"), ("Hua", "华"), ("Yun", "云"), ("Feng", "丰"), ("Song", "松"), ("Shi", "石")),
        (("shan", "山"), ("he", "河"), ("zhou", "州"), ("ning", "宁"), ("yang", "阳"), ("tai", "台"), ("lin", "林"), ("cheng", "城")),
    ),
    "hi": (
        (("Ram", "राम"), ("Shiv", "शिव"), ("Chandan", "चंदन"), ("Sita", "सीता"), ("Hari", "हरि"), ("Dev", "देव"), ("Anand", "आनंद"), ("Krishna", "कृष्ण"), ("Lakshmi", "लक्ष्मी"), ("Surya", "सूर्य"), ("Indra", "इंद्र"), ("Gopal", "गोपाल")),
        (("pur", "पुर"), ("nagar", "नगर"), ("garh", "गढ़"), ("abad", "आबाद"), ("gaon", "गांव"), ("ganj", "गंज"), ("kot", "कोट"), ("puram", "पुरम")),
    ),
}  # fmt: skip
TOWNS_PER_COUNTRY = 60
AFRICAN_ENGLISH = frozenset({"KE", "UG", "NG", "GH", "ZA", "TZ", "ET", "RW"})
_ELISION = re.compile(r"\b([dl])e (?=[AEIOUÉÈH])")
_SPACES = re.compile(r"\s+")
_WORD_BREAKS = re.compile(r"[\s\-']+")
ACRONYM_SKIPPED = frozenset({"of", "for", "and", "the", "de", "du", "des", "la", "le", "el", "y", "e", "et", "und",
                             "für", "pour", "para", "sur", "sobre", "da", "do", "em", "en", "at", "on", "in", "l", "d"})  # fmt: skip
COLUMNS = {language: column for column, language in enumerate(LANGUAGES + SCRIPTS)}
THEME_INDEXES = tuple(range(len(THEMES)))


@cache
def city_names(country_code: str) -> tuple[str, ...]:
    """Cities of a country: from the table, else three made-up ones (the same for every call)."""
    if country_code in COUNTRIES:
        return tuple(city for city, _ in COUNTRIES[country_code][2])
    rng = random.Random(country_code)
    return tuple(
        f"{rng.choice(PREFIXES)}{rng.choice(('ville', 'burg', 'ton', 'abad', 'pur', 'grad'))}"
        for _ in range(3)
    )


@cache
def towns(country_code: str) -> tuple[tuple[str, str], ...]:
    """Made-up towns of a country, each with its script spelling or "" (the same every call)."""
    language, script, cities = COUNTRIES.get(country_code, ("en", "", ()))
    group = script or ("africa" if country_code in AFRICAN_ENGLISH else language)
    stems, endings = TOWN_PARTS.get(group, TOWN_PARTS["en"])
    pairs = [
        (stem + (end.capitalize() if stem.endswith(" ") else end), local + ending if script else "")
        for stem, local in stems
        for end, ending in endings
        if stem.casefold() != end.casefold()
    ]
    taken = {city for city, _ in cities}
    pairs = [(latin, local) for latin, local in pairs if latin not in taken]
    return tuple(random.Random(f"towns {country_code}").sample(pairs, TOWNS_PER_COUNTRY))


@cache
def localities(country_code: str) -> tuple[str, ...]:
    """Every place an organization of the country may be in: its cities, then its towns."""
    return (*city_names(country_code), *(town for town, _ in towns(country_code)))


@cache
def _country_name(country_code: str, language: str) -> str:
    """The country's name in a language (its local name where known, else English)."""
    if language in SCRIPTS:
        return SCRIPT_COUNTRY.get(country_code, "")
    if language != "en" and country_code in LOCAL_COUNTRY:
        return LOCAL_COUNTRY[country_code]
    if country_code in ENGLISH_COUNTRY:
        return ENGLISH_COUNTRY[country_code]
    country = pycountry.countries.get(alpha_2=country_code)
    if country is None:
        return country_code
    return getattr(country, "common_name", None) or country.name.split(",")[0]


def _script_city(country_code: str, city: str) -> str:
    """The city's (or town's) name in its country's script, or '' when there is none."""
    return _script_places(country_code).get(city, "")


@cache
def _script_places(country_code: str) -> dict[str, str]:
    """A country's cities and towns by name, with their script spellings (those it has)."""
    places = dict(towns(country_code))
    places.update(
        (city, local) for city, local in COUNTRIES.get(country_code, ("", "", ()))[2] if local
    )
    return places


def _person(rng: random.Random, language: str, country_code: str) -> str:
    """A person's name for a named body: a surname alone or a first name and surname."""
    group = "africa" if country_code in AFRICAN_ENGLISH else language
    firsts, surnames = PEOPLE.get(group, PEOPLE["en"])
    if rng.random() < 0.15:
        return rng.choice(surnames)
    return f"{rng.choice(firsts)} {rng.choice(surnames)}"


def _slots(rng: random.Random, language: str, country_code: str, city: str) -> dict:
    """The choices a name is made of, language-independent where they can be translated."""
    scripted = COUNTRIES.get(country_code, ("", "", ()))[1]
    pool = SCRIPTED_THEMES if scripted and rng.random() < 0.6 else THEME_INDEXES
    first, second = rng.sample(pool, 2)
    # A registered brand is distinct within its market: three syllables more often than two.
    coined = rng.choice(PREFIXES) + rng.choice(MIDDLES) + rng.choice(INFIXES) + rng.choice(SUFFIXES)
    if rng.random() < 0.3:
        coined += " " + rng.choice(PREFIXES) + rng.choice(SUFFIXES)
    return {
        "T": first,
        "U": second,
        "N": _person(rng, language, country_code),
        "X": coined,
        "R": rng.randrange(len(REGIONS)),
        "P": city,
        "C": country_code,
    }


def render(template: str, slots: dict, language: str) -> str:
    """A form filled in one language: themes, region and country translated, names kept."""
    column = COLUMNS[language]
    needed = {key: _slot_text(key, slots, language, column) for key in _fields(template)}
    text = template.format(**needed)
    if language == "fr":
        text = _ELISION.sub(lambda m: f"{m.group(1)}'", text)
    return _SPACES.sub(" ", text).strip()


@cache
def _fields(template: str) -> tuple[str, ...]:
    """The slots a form uses, by their one-letter keys."""
    return tuple(key for key in "TUNXRPC" if "{" + key + "}" in template)


def _slot_text(key: str, slots: dict, language: str, column: int) -> str:
    """One slot's words in a language (column: the language's place in the tables)."""
    if key in "TU":
        return THEMES[slots[key]][column]
    if key == "R":
        return REGIONS[slots["R"]][min(column, len(LANGUAGES) - 1) if language in LANGUAGES else 0]
    if key == "P":
        return _script_city(slots["C"], slots["P"]) if language in SCRIPTS else slots["P"]
    if key == "C":
        return _country_name(slots["C"], language)
    return slots[key]


def _renderable(form: dict, slots: dict, language: str) -> bool:
    """Whether a form can be written in a language with these choices (words in its table)."""
    if language not in form:
        return False
    if language in LANGUAGES:
        return True
    column = COLUMNS[language]
    needs = set(_fields(form[language]))
    themes_ok = all(len(THEMES[slots[k]]) > column for k in "TU" if k in needs)
    city_ok = "P" not in needs or bool(_script_city(slots["C"], slots["P"]))
    country_ok = "C" not in needs or bool(SCRIPT_COUNTRY.get(slots["C"]))
    return themes_ok and city_ok and country_ok


def acronym_of(name: str) -> str:
    """Initials of a name's words, function words left out: 'Kenya AI Safety Institute' → KASI."""
    words = [w for w in _WORD_BREAKS.split(name) if w and w.casefold() not in ACRONYM_SKIPPED]
    letters = "".join(w[0] if not w.isupper() else w for w in words)
    return letters.upper()


def organization_names(
    rng: random.Random, *, sector: str, country_code: str, city: str | None
) -> tuple[str, str | None, list[dict]]:
    """A display name, an acronym (or None) and the names list (label, acronym, aliases)."""
    language, script, _ = COUNTRIES.get(country_code, ("en", "", ()))
    forms = FORMS.get(sector) or FORMS["civil_society"]
    form = forms[rng.randrange(len(forms))]
    slots = _slots(rng, language, country_code, city or city_names(country_code)[0])
    name = render(form[language], slots, language)
    names = [{"value": name, "lang": language, "types": ["label"]}]
    acronym = acronym_of(name) if "{X}" not in form["en"] and rng.random() < 0.6 else None
    if acronym and not 3 <= len(acronym) <= 7:
        acronym = None
    if acronym:
        names.append({"value": acronym, "lang": None, "types": ["acronym"]})
    for other in rng.sample(_other_languages(language), rng.choice((0, 0, 1, 1, 2))):
        alias = render(form[other], slots, other)
        if alias.casefold() != name.casefold():
            names.append({"value": alias, "lang": other, "types": ["alias"]})
    if script and rng.random() < 0.7 and _renderable(form, slots, script):
        names.append(
            {"value": render(form[script], slots, script), "lang": script, "types": ["alias"]}
        )
    return name, acronym, names


@cache
def _other_languages(language: str) -> list[str]:
    """The languages an alias may be written in, besides the name's own."""
    return [lang for lang in LANGUAGES if lang != language]
