/** The service's API as the task pane uses it (same origin: the service serves the pane). */
import type {
  Chart,
  ClosureReport,
  DashboardJson,
  DashboardState,
  LineInput,
  Problem,
} from '../../templates/definition';

export interface ServerLine extends LineInput {
  id: string;
  version: number;
  status: 'draft' | 'validated';
  problems: Problem[];
  pointed: boolean;
}

export interface Tombstone {
  id: string;
  version: number;
  deleted: true;
}

export interface SyncResult {
  id: string;
  result: 'stored' | 'unchanged' | 'conflict' | 'invalid';
  line?: ServerLine | Tombstone | null;
  errors?: { field: string; message: string }[];
}

/** A line of a bank statement as the service shows it: signed cents, a credit is positive. */
export interface StatementLineJson {
  id: number;
  date: string;
  amount: number;
  label: string;
  cheque: string | null;
}

export interface StatementSummary {
  id: number | null;
  fileName: string | null;
  format: 'csv' | 'ofx' | 'cfonb120' | 'camt053';
  account: string | null;
  period: { from: string; to: string } | null;
  openingBalance: number | null;
  closingBalance: number | null;
  importedAt: string | null;
  importedBy: string | null;
}

/** A cahier line proposed for a statement line (positive cents), with the version to accept it. */
export interface ProposedLine {
  id: string;
  pj: string;
  version: number;
  date: string;
  libelle: string;
  amount: number;
}

export interface Proposal {
  statementLine: StatementLineJson;
  lines: ProposedLine[];
  /** 0…1. */
  score: number;
  certain: boolean;
  /** Why, in French. */
  reasons: string[];
}

export interface Unmatched {
  statementLine: StatementLineJson;
  /** The cahier line the service proposes to create for it (no PJ), or null. */
  suggestion: Omit<LineInput, 'pj'> | null;
  /** Where the suggested chapter comes from (« comme … »), when it was learnt. */
  reason?: string | null;
}

export interface StatementImport {
  statement: StatementSummary;
  lines: { read: number; new: number; alreadyImported: number };
  proposals: Proposal[];
  unmatched: Unmatched[];
}

export interface StatementDetail {
  statement: StatementSummary;
  lines: (StatementLineJson & { bankRef: string | null; cleared: { id: string; pj: string }[] })[];
  proposals: Proposal[];
  unmatched: Unmatched[];
}

export type StatementListItem = StatementSummary & { lines: { read: number; new: number } };

export interface Acceptance {
  statementLine: number;
  lines: { id: string; version: number }[];
}

export interface OutstandingItem {
  id: string;
  pj: string;
  date: string;
  libelle: string;
  amount: number;
  cheque: string | null;
  carriedOver?: boolean;
}

/** The état de rapprochement at a date (cents). */
export interface ReconciliationJson {
  date: string;
  statementBalance: number | null;
  outstanding: {
    /** Expenses not yet debited: cheques not cashed… */
    payments: { lines: OutstandingItem[]; total: number };
    /** Receipts not yet credited. */
    receipts: { lines: OutstandingItem[]; total: number };
  };
  cahierBalance: number;
  expectedStatementBalance?: number;
  gap: number | null;
}

export interface SessionUser {
  login: string;
  role: 'mandataire' | 'tresorier' | 'admin';
  coop: string | null;
  department: string | null;
}

export interface CoopSummary {
  number: string;
  name: string;
  department: string;
}

export interface ExerciseSummary {
  year: number;
  label: string;
  status: 'open' | 'closed';
  opening: { banque: number; caisse: number };
}

/** A document kept at a closure (closing figures, CRF, version imprimable), with its SHA-256. */
export interface ArchiveJson {
  id: number;
  closing: number;
  kind: 'cloture' | 'crf' | 'cahier';
  format: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

/** A bank line of last year left unpointed at its closing (the petit tableau bleu ciel). */
export interface CarriedItem {
  id: string;
  pj: string;
  date: string;
  libelle: string;
  mode: string | null;
  cheque: string | null;
  direction: 'depense' | 'recette';
  amount: number;
  cleared: { on: string; by: string } | null;
}

export interface DashboardQuery {
  exercise?: number;
  state?: DashboardState;
}

/** A file's bytes as base64 (what Workbook.insertWorksheetsFromBase64 takes). */
export async function blobToBase64(blob: Blob): Promise<string> {
  const url = await new Promise<string>((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(String(reader.result));
    reader.onerror = () => fail(new Error('Lecture du classeur impossible.'));
    reader.readAsDataURL(blob);
  });
  return url.slice(url.indexOf(',') + 1);
}

/** Saves a file the service gave (an object URL clicked with its name). */
export function saveFile(blob: Blob, name: string, type?: string): void {
  const url = URL.createObjectURL(type ? new Blob([blob], { type }) : blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The service answered with a refusal (problem+json). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
    /** Seconds to wait before trying again, when the service says so (429, 503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** The French sentences of the refusal: its field errors when it has some, else its detail. */
  get sentences(): string {
    const errors = Array.isArray(this.body.errors) ? (this.body.errors as { message?: unknown }[]) : [];
    const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean);
    return messages.length ? messages.join(' ; ') : this.message;
  }
}

/** A refusal without the service's own sentence (e.g. from a proxy in front of it). */
function refusal(status: number): string {
  if (status === 413) return 'Envoi trop volumineux : le service l’a refusé.';
  if (status === 429) return 'Le service demande de patienter un moment.';
  return `Le service a refusé la demande (erreur ${status}).`;
}

/** The service could not be reached. */
export class OfflineError extends Error {
  constructor() {
    super('Le service est injoignable : vos saisies sont gardées et seront envoyées à son retour.');
  }
}

export class Api {
  token: string | null = null;

  constructor(private readonly base = '') {}

  /** A request; a file (Blob, ArrayBuffer) goes as its bytes, a FormData as multipart, the rest as JSON. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await this.send(method, path, body, headers);
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new Error('Réponse illisible du service.');
    }
  }

  /** The bytes the service answers (a pièce justificative), asked with the session token. */
  async download(path: string): Promise<Blob> {
    return (await this.send('GET', path)).blob();
  }

  /** Sends a request; a refusal of the service becomes an ApiError, an unreachable service an OfflineError. */
  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const bytes = body instanceof Blob || body instanceof ArrayBuffer;
    // The browser writes the multipart content type itself, with its boundary.
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(body !== undefined && !form
            ? { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }
            : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : bytes || form ? (body as BodyInit) : JSON.stringify(body),
      });
    } catch {
      throw new OfflineError();
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) throw new OfflineError();
    if (res.ok) return res;
    let json: Record<string, unknown> = {};
    try {
      const text = await res.text();
      if (text) json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // A refusal from a proxy in front of the service may be an HTML page.
    }
    const wait = Number(res.headers.get('retry-after'));
    throw new ApiError(
      res.status,
      typeof json.detail === 'string' ? json.detail : refusal(res.status),
      json,
      Number.isFinite(wait) && wait > 0 ? wait : null,
    );
  }

  async login(login: string, password: string): Promise<SessionUser> {
    const r = await this.request<{ token: string; user: SessionUser }>('POST', '/api/session', { login, password });
    this.token = r.token;
    return r.user;
  }

  async logout(): Promise<void> {
    await this.request('DELETE', '/api/session').catch(() => undefined);
    this.token = null;
  }

  coops = () => this.request<CoopSummary[]>('GET', '/api/coops');
  exercises = (coop: string) => this.request<ExerciseSummary[]>('GET', `/api/coops/${coop}/exercises`);
  chapters = () => this.request<Chart>('GET', '/api/chapters');

  private base2 = (coop: string, year: number) => `/api/coops/${encodeURIComponent(coop)}/exercises/${year}`;

  lines = (coop: string, year: number) =>
    this.request<{ cursor: string; lines: ServerLine[] }>('GET', `${this.base2(coop, year)}/lines`);

  sync = (coop: string, year: number, lines: unknown[]) =>
    this.request<{ cursor: string; results: SyncResult[] }>('POST', `${this.base2(coop, year)}/sync`, { lines });

  point = (coop: string, year: number, id: string, pointed: boolean, version: number) =>
    this.request<ServerLine>(
      'POST',
      `${this.base2(coop, year)}/lines/${id}/pointage`,
      { pointed },
      { 'If-Match': `"${version}"` },
    );

  /** Imports a bank statement file (its bytes as the body); with dryRun nothing is stored. */
  importStatement = (coop: string, year: number, file: Blob | ArrayBuffer, name: string, dryRun = false) =>
    this.request<StatementImport>(
      'POST',
      `${this.base2(coop, year)}/statements?name=${encodeURIComponent(name)}${dryRun ? '&dryRun=true' : ''}`,
      file,
    );

  statements = (coop: string, year: number) =>
    this.request<StatementListItem[]>('GET', `${this.base2(coop, year)}/statements`);

  statement = (coop: string, year: number, id: number) =>
    this.request<StatementDetail>('GET', `${this.base2(coop, year)}/statements/${id}`);

  /** Accepts every certain proposal of the statement, or those chosen. */
  acceptProposals = (coop: string, year: number, id: number, accept: 'certain' | Acceptance[]) =>
    this.request<{ pointed: ServerLine[] }>(
      'POST',
      `${this.base2(coop, year)}/statements/${id}/accept`,
      accept === 'certain' ? { certain: true } : { accept },
    );

  reconciliation = (coop: string, year: number, date: string) =>
    this.request<ReconciliationJson>('GET', `${this.base2(coop, year)}/reconciliation?date=${date}`);

  /** The closure checks; `pending`: the lines still waiting in the workbook's queue. */
  closure = (coop: string, year: number, pending = 0) =>
    this.request<ClosureReport>('GET', `${this.base2(coop, year)}/closure${pending > 0 ? `?pending=${pending}` : ''}`);

  /** Closes the exercise (409 cloture_impossible with the problems when something blocks). */
  close = (coop: string, year: number) =>
    this.request<{ closing: number; next: ExerciseSummary; archives: ArchiveJson[] }>(
      'POST',
      `${this.base2(coop, year)}/closure`,
      {},
    );

  /** Reopens a closed exercise (the department's trésorier), with the reason. */
  reopen = (coop: string, year: number, reason: string) =>
    this.request<ExerciseSummary>('POST', `${this.base2(coop, year)}/closure/reopen`, { reason });

  archives = (coop: string, year: number) => this.request<ArchiveJson[]>('GET', `${this.base2(coop, year)}/archives`);

  archivePath = (coop: string, year: number, id: number) => `${this.base2(coop, year)}/archives/${id}`;

  /** Last year's bank lines left unpointed at its closing. */
  outstanding = (coop: string, year: number) =>
    this.request<{ from: string | null; items: CarriedItem[] }>('GET', `${this.base2(coop, year)}/outstanding`);

  pointOutstanding = (coop: string, year: number, id: string, pointed: boolean) =>
    this.request<CarriedItem>('POST', `${this.base2(coop, year)}/outstanding/${encodeURIComponent(id)}/pointage`, {
      pointed,
    });

  /** The whole workbook of the exercise as the service builds it (the template filled, live formulas). */
  workbookPath = (coop: string, year: number) => `${this.base2(coop, year)}/workbook.xlsx`;

  /** The bytes of the exercise's whole workbook (.xlsx). */
  workbook = (coop: string, year: number) => this.download(this.workbookPath(coop, year));

  /** The department's dashboard (trésorier of the department, admin): one exercise, one state or all. */
  dashboard = (department: string, query: DashboardQuery = {}) =>
    this.request<DashboardJson>('GET', this.dashboardPath(department, query));

  /** The dashboard's address, as JSON or as a file to download (CSV, xlsx). */
  dashboardPath = (department: string, query: DashboardQuery = {}, format: 'json' | 'csv' | 'xlsx' = 'json') => {
    const params = new URLSearchParams();
    if (query.exercise !== undefined) params.set('exercise', String(query.exercise));
    if (query.state) params.set('state', query.state);
    if (format !== 'json') params.set('format', format);
    const q = params.toString();
    return `/api/departments/${encodeURIComponent(department)}/dashboard${q ? `?${q}` : ''}`;
  };

  /** Pièces justificatives: the number per line of the exercise (the 📎 of the sheet). */
  attachmentCounts = (coop: string, year: number) =>
    this.request<{ counts: Record<string, number> }>('GET', `${this.base2(coop, year)}/attachments`);
}
