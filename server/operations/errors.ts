/**
 * What an operation refuses, with an HTTP status, a stable code and a French sentence; the
 * HTTP layer turns it into application/problem+json whose `type` is `/problems/<code>`.
 */
export interface FieldError {
  /** JSON path of the field ("lines[3].amount"), or the header. */
  field: string;
  message: string;
}

/** Every kind of problem the service answers, by code: its HTTP status and what it means. */
export const PROBLEM_TYPES = {
  chemin_invalide: { status: 400, title: 'Adresse mal formée (encodage %… invalide)' },
  corps_absent: { status: 400, title: 'Corps de requête absent' },
  if_match_invalide: { status: 400, title: 'En-tête If-Match illisible' },
  json_invalide: { status: 400, title: 'Corps de requête qui n’est pas du JSON valide' },
  multipart_invalide: { status: 400, title: 'Corps multipart/form-data mal formé' },
  identifiants_incorrects: { status: 401, title: 'Identifiant ou mot de passe incorrect' },
  session_requise: { status: 401, title: 'Session absente ou expirée' },
  champ_reserve: { status: 403, title: 'Champ réservé au trésorier départemental (le message le nomme)' },
  reservee_au_tresorier: { status: 403, title: 'Action réservée au trésorier départemental (ou à un administrateur)' },
  introuvable: { status: 404, title: 'Ressource introuvable (ou inaccessible)' },
  methode_non_permise: { status: 405, title: 'Méthode non permise à cette adresse (voir l’en-tête Allow)' },
  cloture_impossible: { status: 409, title: 'Clôture impossible : les erreurs sont dans problems' },
  coop_existe: { status: 409, title: 'Coopérative déjà enregistrée' },
  exercice_clos: { status: 409, title: 'Exercice clôturé : plus aucune modification' },
  identifiant_pris: { status: 409, title: 'Identifiant de ligne déjà utilisé ailleurs' },
  ligne_brouillon: { status: 409, title: 'Ligne en brouillon : à corriger avant de la pointer' },
  ligne_hors_banque: { status: 409, title: 'Seules les lignes de banque se pointent' },
  ligne_pointee: { status: 409, title: 'Ligne pointée : montant, date et compte figés' },
  recette_deja_rattachee: { status: 409, title: 'Recette de subvention déjà rattachée à une autre subvention' },
  utilisateur_existe: { status: 409, title: 'Identifiant d’utilisateur déjà pris' },
  arrete_absent: { status: 412, title: 'L’arrêté de caisse n’existe pas (ou plus) à cette date' },
  ligne_absente: { status: 412, title: 'La ligne n’existe pas (ou plus) sur le service' },
  version_perimee: { status: 412, title: 'Version périmée : la version actuelle est jointe' },
  corps_trop_gros: { status: 413, title: 'Requête trop volumineuse' },
  format_non_json: { status: 415, title: 'Le corps doit être du JSON' },
  multipart_attendu: { status: 415, title: 'Le corps doit être en multipart/form-data' },
  type_de_fichier_refuse: { status: 415, title: 'Type de fichier refusé (d’après son contenu)' },
  donnee_invalide: { status: 422, title: 'Donnée invalide' },
  donnees_invalides: { status: 422, title: 'Champs invalides (liste dans errors)' },
  releve_illisible: { status: 422, title: 'Relevé bancaire illisible (le message nomme la ligne)' },
  montants_differents: { status: 422, title: 'Les lignes choisies ne font pas le montant du relevé' },
  version_requise: { status: 428, title: 'Version requise (en-tête If-Match)' },
  connexion_bloquee: { status: 429, title: 'Trop d’essais de connexion : connexion bloquée un moment' },
  erreur_interne: { status: 500, title: 'Erreur inattendue du service ; rien n’est enregistré à moitié' },
  base_indisponible: {
    status: 503,
    title: 'Base de données momentanément injoignable ; rien n’est enregistré à moitié',
  },
  delai_depasse: { status: 503, title: 'Délai de traitement dépassé : l’opération a pu aboutir ou non, vérifiez' },
  service_en_arret: { status: 503, title: 'Instance en cours d’arrêt : rien n’a été fait, réessayez' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;
export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as [ProblemCode, ...ProblemCode[]];

/** The problem type's URI, relative to the service. */
export const problemType = (code: ProblemCode) => `/problems/${code}`;

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ServiceError(404, 'introuvable', what);

/** 422 with every refused field: « La subvention contient des champs invalides : … ». */
export function invalidFields(what: string, errors: FieldError[]): ServiceError {
  return new ServiceError(
    422,
    'donnees_invalides',
    `${what} contient des champs invalides : ${errors.map((e) => e.message).join(' ; ')}.`,
    { errors },
  );
}

/** 422 naming one field. */
export const fieldRefused = (field: string, message: string) =>
  new ServiceError(422, 'donnees_invalides', message, { errors: [{ field, message }] });
