"""Invented company names and street addresses for the synthetic demo dataset (French, fictitious).

Names combine a trade word consistent with the NAF code or the main capability, an invented surname
(built from syllables, never taken from a list of real people or firms) or a local geographic word
(rivers and "pays" of Lorraine), and an optional legal form. Everything is vectorised over numpy
arrays of indices drawn from the caller's seeded generator; no module-level state is mutated.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from dashboard.territory import departments_table, of_label

# Real company names that must never appear in a demo name (checked on whole words, case-insensitive).
DENIED_WORDS = (
    "Stellantis", "ArcelorMittal", "Arcelor", "Mittal", "Saint-Gobain", "Gobain", "Safran", "Norske", "Skog",
    "Peugeot", "Renault", "Citroën", "Thyssen", "Krupp", "Bosch", "Daimler", "Mercedes", "Smart", "Lactalis",
    "Bel", "Essilor", "Luxottica", "EssilorLuxottica", "Garnier", "Thiébaut", "Baccarat", "Daum", "Michelin",
    "Continental", "Solvay", "Vallourec", "Arkema", "Total", "Kronenbourg", "Numalliance", "Gaiffe", "Leduc",
    "Hydro", "Emotors", "EvoBus", "Ineos", "Novacarb", "Saint-Louis", "Kimberly", "Clark", "Vittel", "Nestlé",
    "Contrex", "Alstom", "Airbus", "Thales", "Valeo", "Faurecia", "Forvia", "Plastic", "Schneider", "Legrand",
    "Sovab", "Batilly", "Novasep", "Dassault", "Eiffage", "Vinci", "Bouygues", "Lorraine Tubes", "Ascometal",
    "Liberty", "Tata", "Siemens", "Cristel", "Portieux", "Meisenthal", "Villeroy", "Boch",
)

_DENY_RE = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(set(DENIED_WORDS), key=len, reverse=True))
                      + r")(?![\w])", re.IGNORECASE)


def contains_denied_word(text: str) -> bool:
    """True when `text` contains a real big-company name from DENIED_WORDS (whole word)."""
    return _DENY_RE.search(text) is not None


# --- Invented surnames ---------------------------------------------------------------------------

_ONSETS = ("B", "Br", "C", "Ch", "D", "Dr", "F", "G", "Gr", "J", "L", "M", "N", "P", "R", "S", "T", "Tr", "V",
           "H", "Cl", "Th", "Bl", "Fr", "Pl", "Gu", "Qu")
_VOWELS = ("a", "e", "i", "o", "ou", "au", "é", "ai", "a", "e", "o", "a")
_MIDDLES = ("r", "l", "n", "m", "v", "d", "t", "s", "ch", "rn", "rd", "ss", "ll", "nd", "rv", "rg", "br", "gn", "st",
            "rl", "nt", "b", "c", "g", "p")
# Endings start with a vowel so that every syllable joint is vowel–consonant–vowel.
_ENDINGS = ("ot", "in", "el", "et", "ier", "ard", "ay", "ois", "on", "eau", "aux", "and", "elin", "erot", "illot",
            "ange", "ing", "inger", "y", "ez", "enne", "ert", "isse", "ey", "at", "iot", "enot", "olle", "ette", "é",
            "eux", "ant", "in", "ot", "el", "elle", "ard", "aud", "ault", "ier", "ou", "an", "ès")


def invented_surnames(rng: np.random.Generator, size: int = 6000) -> np.ndarray:
    """A sorted pool of unique invented surnames (two or three syllables, Lorraine flavour)."""
    n = size * 2
    onset = np.asarray(_ONSETS, dtype=object)[rng.integers(0, len(_ONSETS), n)]
    vowel1 = np.asarray(_VOWELS, dtype=object)[rng.integers(0, len(_VOWELS), n)]
    middle1 = np.asarray(_MIDDLES, dtype=object)[rng.integers(0, len(_MIDDLES), n)]
    vowel2 = np.asarray(_VOWELS, dtype=object)[rng.integers(0, len(_VOWELS), n)]
    middle2 = np.asarray(_MIDDLES, dtype=object)[rng.integers(0, len(_MIDDLES), n)]
    ending = np.asarray(_ENDINGS, dtype=object)[rng.integers(0, len(_ENDINGS), n)]
    german = rng.random(n) < 0.08  # Moselle-style names: Kremer-like consonant endings
    long_form = rng.random(n) < 0.35
    names = np.where(long_form, onset + vowel1 + middle1 + vowel2 + middle2 + ending, onset + vowel1 + middle1 + ending)
    names = np.where(german, onset + vowel1 + middle1 + np.asarray(["er", "inger", "mann", "el"], dtype=object)[
        rng.integers(0, 4, n)], names)
    names = [_tidy(name) for name in names]
    unique = sorted({name for name in names if 5 <= len(name) <= 11 and not contains_denied_word(name)})
    pool = np.asarray(unique, dtype=object)
    return pool[np.sort(rng.choice(len(pool), size=min(size, len(pool)), replace=False))]


def _tidy(name: str) -> str:
    # Remove the few clashes the syllable product can create ("Quou", "éé", "rnd", triple letters).
    name = re.sub(r"^(Gu|Qu)(ou|o|au)", r"\1e", name)
    name = re.sub(r"é([aeiouéè])", r"\1", name)
    name = re.sub(r"é([^aeiouéèy]{2})", r"e\1", name)
    name = re.sub(r"([aeiouéè]{2})[aeiouéè]+", r"\1", name.replace("eau", "§")).replace("§", "eau")
    name = re.sub(r"([^aeiouéèy])([^aeiouéèy])([^aeiouéèy])", r"\1\3", name)
    name = re.sub(r"(.)\1\1", r"\1\1", name)
    return name[:1].upper() + name[1:]


# --- Geography words (rivers, "pays", massifs), with their article -------------------------------

GEO_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    # department -> (bare word, "with article")
    "57": (("Moselle", "de la Moselle"), ("Fensch", "de la Fensch"), ("Orne", "de l'Orne"), ("Nied", "de la Nied"),
           ("Sarre", "de la Sarre"), ("Seille", "de la Seille"), ("Blies", "de la Blies"), ("Saulnois", "du Saulnois"),
           ("Warndt", "du Warndt"), ("Rosselle", "de la Rosselle"), ("Canner", "de la Canner"),
           ("Bitcherland", "du Bitcherland"), ("Albe", "de l'Albe"), ("Sarrois", "du Pays Sarrois"),
           ("Messin", "du Pays Messin"), ("Trois-Frontières", "des Trois Frontières")),
    "54": (("Meurthe", "de la Meurthe"), ("Moselle", "de la Moselle"), ("Vermois", "du Vermois"),
           ("Saintois", "du Saintois"), ("Vezouze", "de la Vezouze"), ("Mortagne", "de la Mortagne"),
           ("Madon", "du Madon"), ("Toulois", "du Toulois"), ("Pays-Haut", "du Pays-Haut"), ("Chiers", "de la Chiers"),
           ("Orne", "de l'Orne"), ("Sânon", "du Sânon"), ("Amezule", "de l'Amezule"), ("Lunévillois", "du Lunévillois"),
           ("Haye", "de la Haye"), ("Crusnes", "de la Crusnes")),
    "88": (("Vologne", "de la Vologne"), ("Moselotte", "de la Moselotte"), ("Meurthe", "de la Meurthe"),
           ("Mortagne", "de la Mortagne"), ("Madon", "du Madon"), ("Déodatie", "de la Déodatie"),
           ("Xaintois", "du Xaintois"), ("Plaine", "de la Plaine"), ("Hautes-Vosges", "des Hautes-Vosges"),
           ("Ballons", "des Ballons"), ("Saônois", "du Saônois"), ("Neuné", "du Neuné"), ("Rabodeau", "du Rabodeau"),
           ("Durbion", "du Durbion"), ("Avière", "de l'Avière"), ("Vair", "du Vair")),
    "55": (("Meuse", "de la Meuse"), ("Woëvre", "de la Woëvre"), ("Argonne", "de l'Argonne"), ("Ornain", "de l'Ornain"),
           ("Barrois", "du Barrois"), ("Saulx", "de la Saulx"), ("Aire", "de l'Aire"), ("Othain", "de l'Othain"),
           ("Chiers", "de la Chiers"), ("Verdunois", "du Verdunois"), ("Côtes", "des Côtes de Meuse"),
           ("Vaucouleurs", "du Val des Couleurs"), ("Loison", "du Loison"), ("Aisne", "de l'Aisne")),
}

# --- Trade words -------------------------------------------------------------------------------
# Keys: capability code, NAF sub-class, class (NN.NN) or division (NN); most specific wins.
# "craft" trades (shops, small workshops) use shop-like name patterns.

CRAFT_KEYS = frozenset({"10.71C", "10.71D", "10.13B", "10.11Z", "32.50A", "32.12Z", "32.13Z", "18.12Z", "18.13Z",
                        "18.14Z", "23.70Z", "16.23Z", "31.09B", "10.52Z", "10.82Z", "11.05Z", "11.01Z", "32.20Z"})

TRADES: dict[str, tuple[str, ...]] = {
    # capabilities (metalworking and processes)
    "tournage": ("Usinage", "Mécanique de Précision", "Tournage", "Mécanique Générale"),
    "decolletage": ("Décolletage", "Décolletage de Précision"),
    "fraisage_3axes": ("Usinage", "Mécanique Générale", "Mécanique Industrielle"),
    "fraisage_5axes": ("Usinage 5 Axes", "Mécanique de Précision", "Usinage de Précision"),
    "rectification": ("Rectification", "Mécanique de Précision"),
    "electroerosion": ("Électroérosion", "Outillage de Précision"),
    "emboutissage": ("Emboutissage", "Découpage Emboutissage", "Presses et Découpage"),
    "pliage": ("Tôlerie", "Tôlerie Fine", "Métallerie"),
    "decoupe_laser": ("Découpe Laser", "Tôlerie Laser", "Découpe Industrielle"),
    "decoupe_jet_eau": ("Découpe Jet d'Eau", "Découpe Industrielle"),
    "poinconnage": ("Tôlerie", "Poinçonnage Industriel"),
    "chaudronnerie": ("Chaudronnerie", "Chaudronnerie Industrielle", "Chaudronnerie Tôlerie"),
    "tuyauterie": ("Tuyauterie Industrielle", "Tuyauterie", "Chaudronnerie Tuyauterie"),
    "soudure_tig": ("Soudure", "Soudage Industriel", "Métallerie"),
    "soudure_mig_mag": ("Soudure", "Serrurerie Industrielle", "Métallerie", "Constructions Métalliques"),
    "soudure_robotisee": ("Soudage Robotisé", "Assemblages Soudés"),
    "soudure_laser": ("Soudage Laser", "Micro-Soudure"),
    "brasage": ("Brasage", "Brasage Industriel"),
    "assemblage_mecanique": ("Montage Mécanique", "Assemblages Mécaniques", "Sous-Traitance Mécanique"),
    "traitement_thermique": ("Traitements Thermiques", "Trempe et Revenu"),
    "traitement_surface": ("Traitements de Surface", "Revêtements Métalliques", "Zingage"),
    "peinture_poudre": ("Thermolaquage", "Peinture Industrielle"),
    "galvanisation": ("Galvanisation", "Galvanoplastie Industrielle"),
    "grenaillage": ("Sablage", "Grenaillage Industriel"),
    "fonderie_alu": ("Fonderie d'Aluminium", "Fonderie"),
    "fonderie_fonte_acier": ("Fonderie", "Fonderie et Aciérie"),
    "forge": ("Forge", "Forges et Estampage"),
    "injection_plastique": ("Plasturgie", "Injection Plastique", "Plastiques"),
    "extrusion_plastique": ("Extrusion", "Profilés Plastiques", "Plastiques"),
    "composites": ("Composites", "Matériaux Composites"),
    "cartes_electroniques": ("Électronique", "Cartes Électroniques", "Électronique Industrielle"),
    "cablage_filerie": ("Câblage", "Câblage et Filerie"),
    "armoires_electriques": ("Électricité Industrielle", "Tableaux Électriques"),
    "automatisme": ("Automatismes", "Automation"),
    "robotique": ("Robotique", "Robotique Industrielle"),
    "machines_speciales": ("Machines Spéciales", "Équipements Industriels"),
    "maintenance_industrielle": ("Maintenance Industrielle", "Maintenance", "Services Industriels"),
    "installation_machines": ("Installation Industrielle", "Levage et Transfert"),
    "metrologie": ("Métrologie", "Mesure et Contrôle"),
    "controle_non_destructif": ("Contrôle Non Destructif", "Contrôles Industriels"),
    "essais_laboratoire": ("Laboratoire d'Essais", "Essais Matériaux"),
    "impression_3d_metal": ("Fabrication Additive", "Impression Métal"),
    "impression_3d_polymere": ("Impression 3D", "Prototypage Rapide"),
    "bureau_etudes": ("Ingénierie Mécanique", "Études et Réalisations"),
    "prototypage": ("Prototypes", "Études et Prototypes"),
    # NAF (when no capability drives the name)
    "05": ("Houillères",), "06": ("Forages",), "07": ("Mines",), "08": ("Carrières", "Sablières", "Granulats"),
    "08.93Z": ("Salines",), "09": ("Forages et Services",),
    "10": ("Agroalimentaire", "Conserverie", "Produits du Terroir"),
    "10.11Z": ("Abattoir", "Viandes"), "10.12Z": ("Volailles",), "10.13A": ("Salaisons", "Charcuterie Industrielle"),
    "10.13B": ("Charcuterie", "Charcuterie Artisanale"), "10.39B": ("Confitures", "Conserverie de Fruits"),
    "10.51A": ("Laiterie",), "10.51B": ("Laiterie", "Beurrerie"), "10.51C": ("Fromagerie",),
    "10.51D": ("Laiterie",), "10.52Z": ("Glacier", "Glaces Artisanales"), "10.61A": ("Moulin", "Minoterie"),
    "10.71A": ("Boulangerie Industrielle",), "10.71B": ("Fournil", "Terminal de Cuisson"),
    "10.71C": ("Boulangerie", "Boulangerie-Pâtisserie", "Au Fournil"), "10.71D": ("Pâtisserie",),
    "10.72Z": ("Biscuiterie",), "10.73Z": ("Pâtes Fraîches",), "10.82Z": ("Chocolaterie", "Confiserie"),
    "10.85Z": ("Plats Cuisinés", "Traiteur"), "10.89Z": ("Produits Alimentaires",),
    "10.91Z": ("Aliments du Bétail",), "10.92Z": ("Aliments pour Animaux",),
    "11": ("Boissons",), "11.01Z": ("Distillerie",), "11.02B": ("Domaine Viticole", "Chai"),
    "11.05Z": ("Brasserie", "Brasserie Artisanale"), "11.07A": ("Eaux Minérales", "Source"),
    "12": ("Manufacture de Tabac",),
    "13": ("Textiles", "Tissage", "Filature"), "13.92Z": ("Linge de Maison", "Confection Textile"),
    "13.30Z": ("Ennoblissement Textile", "Teinturerie"), "13.96Z": ("Textiles Techniques",),
    "14": ("Confection", "Vêtements"), "14.12Z": ("Vêtements de Travail",), "15": ("Maroquinerie", "Sellerie"),
    "16": ("Bois", "Menuiserie Industrielle"), "16.10A": ("Scierie",), "16.10B": ("Traitement du Bois",),
    "16.21Z": ("Panneaux de Bois",), "16.23Z": ("Charpente", "Menuiserie", "Charpente Menuiserie"),
    "16.24Z": ("Palettes", "Emballages Bois"), "16.29Z": ("Tournerie sur Bois", "Objets en Bois"),
    "17": ("Papeterie", "Cartonnerie"), "17.12Z": ("Papeterie", "Papeteries"), "17.21A": ("Cartonnages",),
    "17.21B": ("Cartonnages",), "17.22Z": ("Ouates et Papiers",),
    "18": ("Imprimerie", "Arts Graphiques"), "18.13Z": ("Photogravure", "Prépresse"), "18.14Z": ("Reliure",),
    "19": ("Raffinerie", "Cokerie"),
    "20": ("Chimie", "Produits Chimiques", "Chimie Industrielle"), "20.30Z": ("Peintures et Vernis",),
    "20.41Z": ("Détergents",), "20.42Z": ("Cosmétiques", "Parfumerie"), "20.11Z": ("Gaz Industriels",),
    "21": ("Laboratoires Pharmaceutiques", "Pharmacie Industrielle"),
    "22": ("Plasturgie", "Plastiques", "Caoutchouc"), "22.11Z": ("Pneumatiques",),
    "22.19Z": ("Caoutchouc Industriel",), "22.22Z": ("Emballages Plastiques",),
    "23": ("Matériaux", "Produits Minéraux"), "23.12Z": ("Miroiterie", "Vitrerie Industrielle"),
    "23.13Z": ("Verrerie", "Cristallerie"), "23.19Z": ("Verrerie Technique",), "23.41Z": ("Faïencerie", "Céramique"),
    "23.32Z": ("Tuilerie", "Briqueterie"), "23.51Z": ("Cimenterie",), "23.52Z": ("Chaux",),
    "23.61Z": ("Préfabrication Béton", "Béton Industriel"), "23.63Z": ("Béton Prêt à l'Emploi", "Centrale à Béton"),
    "23.70Z": ("Marbrerie", "Taille de Pierre"),
    "24": ("Aciérie", "Métallurgie", "Laminoirs"), "24.10Z": ("Aciérie", "Laminoirs", "Sidérurgie"),
    "24.20Z": ("Tuberie", "Tubes Acier"), "24.51Z": ("Fonderie de Fonte",), "24.52Z": ("Fonderie d'Acier",),
    "24.53Z": ("Fonderie Légère",), "24.54Z": ("Fonderie de Métaux",),
    "25": ("Mécanique", "Constructions Métalliques", "Métallerie"), "25.11Z": ("Charpente Métallique",
                                                                                "Constructions Métalliques"),
    "25.12Z": ("Menuiserie Métallique", "Métallerie"), "25.62B": ("Mécanique Industrielle", "Mécanique Générale"),
    "25.73A": ("Moules et Modèles", "Moulerie"), "25.73B": ("Outillage",), "25.71Z": ("Coutellerie",),
    "25.93Z": ("Ressorts", "Tréfilerie"),
    "26": ("Électronique", "Instrumentation"), "26.51B": ("Instrumentation", "Capteurs"),
    "27": ("Équipements Électriques", "Électrotechnique"), "27.11Z": ("Électromécanique", "Bobinage"),
    "27.40Z": ("Luminaires", "Éclairage"),
    "28": ("Machines", "Constructions Mécaniques", "Équipements Industriels"), "28.22Z": ("Manutention", "Levage"),
    "28.30Z": ("Machines Agricoles",), "28.25Z": ("Froid Industriel", "Aéraulique"),
    "29": ("Équipements Automobiles", "Composants Automobiles"), "29.10Z": ("Automobiles", "Véhicules"),
    "29.20Z": ("Carrosserie Industrielle", "Remorques"),
    "30": ("Matériel de Transport",), "30.20Z": ("Matériel Ferroviaire",), "30.30Z": ("Aéronautique",
                                                                                          "Aérostructures"),
    "31": ("Meubles", "Ameublement"), "31.09B": ("Ébénisterie", "Meubles"), "31.02Z": ("Cuisines",),
    "31.03Z": ("Literie",), "31.09A": ("Sièges",),
    "32": ("Manufacture", "Fabrications Diverses"), "32.50A": ("Prothèses Dentaires", "Laboratoire Dentaire",
                                                                "Matériel Médical"),
    "32.50B": ("Optique", "Lunetterie"), "32.12Z": ("Bijouterie", "Joaillerie"), "32.20Z": ("Lutherie",),
    "32.91Z": ("Brosserie",), "32.40Z": ("Jouets", "Jeux en Bois"),
    "33": ("Maintenance Industrielle", "Réparation Industrielle"), "33.20A": ("Montage Industriel",),
    "33.20D": ("Installations Électriques",),
    "35": ("Énergies", "Énergie Solaire", "Hydroélectricité"), "35.30Z": ("Réseau de Chaleur",),
    "36": ("Eaux", "Syndicat des Eaux"), "37": ("Assainissement",), "38": ("Recyclage", "Environnement"),
    "38.32Z": ("Recyclage", "Récupération de Métaux"), "38.31Z": ("Démolition Automobile",),
    "39": ("Dépollution",),
}

_PREFIXES = ("Établissements", "Ateliers", "Société", "Usines", "Groupe")
_CRAFT_PREFIXES = ("Maison", "Atelier", "Établissements")
_FAMILY_SUFFIXES = ("et Fils", "Frères", "et Cie", "Père et Fils")
_INITIALS = np.asarray(list("BCDFGLMPRSTV"), dtype=object)


def trade_lists(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened trade words for an array of TRADES keys: (words, offsets, counts)."""
    words: list[str] = []
    offsets, counts = [], []
    for key in keys:
        choices = TRADES[key]
        offsets.append(len(words))
        counts.append(len(choices))
        words.extend(choices)
    return np.asarray(words, dtype=object), np.asarray(offsets), np.asarray(counts)


def trade_key(naf: str, capability: str | None) -> str:
    """The most specific TRADES key for a NAF sub-class and an optional main capability."""
    if capability and capability in TRADES:
        return capability
    for key in (naf, naf[:5], naf[:2]):
        if key in TRADES:
            return key
    return "25"


def compose_names(rng: np.random.Generator, *, trade: np.ndarray, craft: np.ndarray, department: np.ndarray,
                  headcount: np.ndarray, surnames: np.ndarray) -> np.ndarray:
    """Company names from per-row trade words (object array); patterns drawn with `rng`."""
    n = len(trade)
    surname = surnames[rng.integers(0, len(surnames), n)]
    geo_bare = np.empty(n, dtype=object)
    geo_full = np.empty(n, dtype=object)
    pick = rng.random(n)
    for dep, words in GEO_WORDS.items():
        rows = np.flatnonzero(department == dep)
        index = (pick[rows] * len(words)).astype(int)
        geo_bare[rows] = np.asarray([w[0] for w in words], dtype=object)[index]
        geo_full[rows] = np.asarray([w[1] for w in words], dtype=object)[index]
    unknown = geo_bare == None  # noqa: E711 (object array comparison)
    regions = {code: d.region_nom for code, d in departments_table().items()}
    for dep in sorted(set(department[unknown])):  # outside Lorraine: the region's name ("du Grand Est")
        rows = unknown & (department == dep)
        region = regions.get(dep, "Lorraine")
        geo_bare[rows], geo_full[rows] = region, of_label(region)

    prefix = np.asarray(_PREFIXES, dtype=object)[rng.integers(0, len(_PREFIXES), n)]
    craft_prefix = np.asarray(_CRAFT_PREFIXES, dtype=object)[rng.integers(0, len(_CRAFT_PREFIXES), n)]
    family = np.asarray(_FAMILY_SUFFIXES, dtype=object)[rng.integers(0, len(_FAMILY_SUFFIXES), n)]
    letters = rng.integers(0, len(_INITIALS), (n, 3))
    initials = np.asarray(["".join(t) for t in itertools.product(_INITIALS, repeat=3)], dtype=object)[
        letters[:, 0] * len(_INITIALS) ** 2 + letters[:, 1] * len(_INITIALS) + letters[:, 2]]

    u = rng.random(n)
    names = np.empty(n, dtype=object)
    # Patterns (cumulative thresholds); each is built only on the rows that use it.
    patterns = (
        (0.30, lambda r: trade[r] + " " + surname[r]),
        (0.52, lambda r: trade[r] + " " + geo_full[r]),
        (0.63, lambda r: surname[r] + " " + trade[r]),
        (0.76, lambda r: prefix[r] + " " + surname[r]),
        (0.82, lambda r: surname[r] + " " + family[r]),
        (0.93, lambda r: geo_bare[r] + " " + trade[r]),
        (1.01, lambda r: initials[r] + " " + trade[r]),
    )
    craft_patterns = (
        (0.55, lambda r: trade[r] + " " + surname[r]),
        (0.75, lambda r: trade[r] + " " + geo_full[r]),
        (0.92, lambda r: craft_prefix[r] + " " + surname[r]),
        (1.01, lambda r: surname[r] + " " + family[r]),
    )
    for table, mask in ((patterns, ~craft), (craft_patterns, craft)):
        low = 0.0
        for high, build in table:
            rows = np.flatnonzero(mask & (u >= low) & (u < high))
            names[rows] = build(rows)
            low = high

    legal = rng.random(n)
    form = np.where(headcount >= 50, np.where(legal < 0.25, " SA", " SAS"), np.where(legal < 0.5, " SARL", " SAS"))
    with_form = (rng.random(n) < np.where(craft, 0.15, 0.5))
    names[with_form] = names[with_form] + form[with_form]
    return names


# --- Addresses -----------------------------------------------------------------------------------

_STREETS = (
    "rue des Forges", "rue de l'Industrie", "rue du Moulin", "rue de la Gare", "rue des Artisans", "rue Pasteur",
    "rue Jean Jaurès", "rue de la République", "rue du Stade", "rue des Tilleuls", "rue des Usines", "rue Ampère",
    "rue Denis Papin", "rue Gustave Eiffel", "rue de la Tuilerie", "rue de la Scierie", "rue de la Verrerie",
    "chemin de la Papeterie", "allée des Tisserands", "impasse des Fondeurs", "rue des Lamineurs", "route Nationale",
    "rue du Canal", "rue du Port", "rue de la Forêt", "rue des Vergers", "rue des Mirabelliers", "avenue de la Gare",
    "avenue du Général Leclerc", "rue Victor Hugo", "rue Saint-Nicolas", "rue de Lorraine", "rue du Général de Gaulle",
    "rue des Chaudronniers", "rue des Mineurs", "rue des Verriers", "rue de la Houillère", "chemin du Halage",
    "rue de l'Écluse", "rue des Prés", "rue du Château d'Eau", "rue de la Fonderie", "rue des Jardins",
    "rue Louis Pasteur", "rue Émile Gallé", "rue Jean Prouvé", "rue Lavoisier", "rue Marie Curie", "rue Nicolas Appert",
    "rue de la Libération", "rue du 8 Mai 1945", "rue des Érables", "rue du Breuil", "rue de la Sablière",
)
_CRAFT_STREETS = ("Grande Rue", "rue Principale", "place de l'Église", "rue de l'Église", "place du Marché",
                  "rue du Centre", "rue de la Mairie", "rue Haute", "rue Basse", "place de la République")
_ZONES = ("ZI des Forges", "ZI du Breuil", "ZA de la Sablière", "ZI Nord", "ZI Sud", "ZA des Grands Champs",
          "Parc d'activités du Plateau", "ZA du Haut des Tappes", "ZI de la Gare", "ZAC du Pré Saint-Martin",
          "Parc d'activités de la Vallée", "ZI du Canal", "ZA des Prés Loups", "Pôle industriel Est",
          "ZI Les Terres Rouges", "ZA du Moulin")


def compose_addresses(rng: np.random.Generator, *, craft: np.ndarray, headcount: np.ndarray) -> np.ndarray:
    """Fictitious street addresses ("12 rue des Forges", "4 rue Ampère, ZI du Breuil")."""
    n = len(craft)
    number = np.minimum(np.floor(np.exp(rng.random(n) * np.log(160.0))).astype(int), 159)
    number_text = number.astype(str).astype(object)
    bis = rng.random(n) < 0.03
    number_text[bis] = number_text[bis] + " bis"
    street = np.asarray(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), n)]
    craft_street = np.asarray(_CRAFT_STREETS, dtype=object)[rng.integers(0, len(_CRAFT_STREETS), n)]
    zone = np.asarray(_ZONES, dtype=object)[rng.integers(0, len(_ZONES), n)]
    street = np.where(craft & (rng.random(n) < 0.6), craft_street, street)
    address = number_text + " " + street
    in_zone = ~craft & (rng.random(n) < np.where(headcount >= 20, 0.55, 0.3))
    address[in_zone] = address[in_zone] + ", " + zone[in_zone]
    return address
