/**
 * camt.053 (ISO 20022 BankToCustomerStatement): Document/BkToCstmrStmt/Stmt, its account
 * (Acct/Id/IBAN), balances (Bal: OPBD or PRCD opening, CLBD closing) and entries (Ntry).
 *
 * Hostile XML: a DOCTYPE or entity declaration is refused before parsing, the parser expands no
 * entity (the five of XML and character references are decoded afterwards, by one regex), and
 * nesting deeper than MAX_NESTING is refused by the parser itself.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Cents, IsoDate, Statement, StatementLine } from '../../../templates/definition';
import {
  StatementFormatError,
  type StatementPart,
  assembleStatement,
  chequeFromLabel,
  cleanLabel,
  decodeXmlText,
  joinLabels,
  lineAt,
  lineError,
  lineStarts,
  parseCompactOrIsoDate,
  refuseXmlDeclarations,
} from './common';

/** A camt.053 nests about 12 deep. */
const MAX_NESTING = 40;

const ARRAYS = new Set(['Stmt', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'AddtlNtryInf']);

type XmlNode = { [key: string]: XmlValue };
type XmlValue = string | XmlNode | XmlValue[];

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

function structureError(reason: string, line: number | null): StatementFormatError {
  return new StatementFormatError({ code: 'fichier_invalide', reason, line });
}

function obj(value: XmlValue | undefined): XmlNode | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function list(value: XmlValue | undefined): XmlNode[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((v) => obj(v) ?? { '#text': typeof v === 'string' ? v : '' });
}

function path(node: XmlNode | undefined, ...keys: string[]): XmlValue | undefined {
  let current: XmlValue | undefined = node;
  for (const key of keys) {
    const o = obj(Array.isArray(current) ? current[0] : current);
    if (!o) return undefined;
    current = o[key];
  }
  return Array.isArray(current) ? current[0] : current;
}

function text(value: XmlValue | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return decodeXmlText(value);
  if (Array.isArray(value)) return text(value[0]);
  const inner = value['#text'];
  return typeof inner === 'string' ? decodeXmlText(inner) : null;
}

function texts(value: XmlValue | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => text(v) ?? '').filter((t) => t !== '');
}

/** Amounts in camt are "1234.56": digits, a dot, at most two decimals for the euro. */
function parseCamtAmount(value: string | null): Cents | null {
  if (value === null) return null;
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function dateOf(node: XmlValue | undefined): IsoDate | null {
  const d = text(path(obj(node), 'Dt')) ?? text(path(obj(node), 'DtTm'));
  return d === null ? null : parseCompactOrIsoDate(d);
}

export function readCamt053(source: string): Statement {
  refuseXmlDeclarations(source);
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    throw structureError(`le XML est mal formé (${valid.err.msg}).`, valid.err.line);
  }
  let document: XmlNode;
  try {
    document = new XMLParser({
      ignoreAttributes: true,
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: false,
      htmlEntities: false,
      maxNestedTags: MAX_NESTING,
      captureMetaData: true,
      isArray: (name) => ARRAYS.has(name),
    }).parse(source) as XmlNode;
  } catch (error) {
    const message = (error as Error).message;
    if (/nested/i.test(message)) {
      throw structureError(`les éléments XML sont imbriqués à plus de ${MAX_NESTING} niveaux.`, null);
    }
    throw structureError('le XML est illisible.', null);
  }
  const starts = lineStarts(source);
  const lineOfNode = (node: XmlNode): number => {
    const meta = (node as unknown as Record<symbol, { startIndex?: number } | undefined>)[META];
    return meta?.startIndex !== undefined ? lineAt(starts, meta.startIndex) : 1;
  };
  /** The line of a child element (the first <Amt> after the node's start…), for messages. */
  const lineOfChild = (node: XmlNode, name: string): number => {
    const meta = (node as unknown as Record<symbol, { startIndex?: number } | undefined>)[META];
    const from = meta?.startIndex ?? 0;
    const re = new RegExp(`<(?:[A-Za-z0-9_.-]+:)?${name}[\\s>/]`, 'g');
    re.lastIndex = from;
    const m = re.exec(source);
    return m ? lineAt(starts, m.index) : lineOfNode(node);
  };

  const root = obj(path(document, 'Document', 'BkToCstmrStmt'));
  if (!root) throw structureError('l’élément Document/BkToCstmrStmt est introuvable : ce n’est pas un camt.053.', null);
  const statements = list(root.Stmt);
  if (statements.length === 0)
    throw structureError('le relevé camt.053 ne contient aucun relevé (Stmt).', lineOfNode(root));

  const parts: StatementPart[] = statements.map((stmt) => {
    const account = text(path(stmt, 'Acct', 'Id', 'IBAN')) ?? text(path(stmt, 'Acct', 'Id', 'Othr', 'Id'));
    let openingBalance: Cents | null = null;
    let closingBalance: Cents | null = null;
    for (const bal of list(stmt.Bal)) {
      const code = text(path(bal, 'Tp', 'CdOrPrtry', 'Cd')) ?? text(path(bal, 'Tp', 'CdOrPrtry', 'Prtry'));
      const amountText = text(path(bal, 'Amt'));
      const cents = parseCamtAmount(amountText);
      if (cents === null)
        throw lineError(lineOfChild(bal, 'Amt'), `le montant du solde « ${amountText ?? ''} » est illisible.`);
      const signed = text(path(bal, 'CdtDbtInd')) === 'DBIT' ? -cents : cents;
      if (code === 'OPBD' || code === 'PRCD') openingBalance ??= signed;
      else if (code === 'CLBD') closingBalance = signed;
    }
    const lines: StatementLine[] = list(stmt.Ntry).map((ntry) => {
      const amountText = text(path(ntry, 'Amt'));
      const cents = parseCamtAmount(amountText);
      if (cents === null) {
        throw lineError(
          lineOfChild(ntry, 'Amt'),
          `le montant « ${amountText ?? ''} » est illisible (attendu : 1234.56).`,
        );
      }
      const indicator = text(path(ntry, 'CdtDbtInd'));
      if (indicator !== 'CRDT' && indicator !== 'DBIT') {
        throw lineError(lineOfChild(ntry, 'CdtDbtInd'), `le sens « ${indicator ?? ''} » n’est ni CRDT ni DBIT.`);
      }
      const booking = path(ntry, 'BookgDt');
      const dateText = text(path(obj(booking), 'Dt')) ?? text(path(obj(booking), 'DtTm'));
      const date = dateOf(booking) ?? dateOf(path(ntry, 'ValDt'));
      if (date === null) {
        throw lineError(lineOfChild(ntry, 'BookgDt'), `la date « ${dateText ?? ''} » n’existe pas ou est illisible.`);
      }
      const details = list(ntry.NtryDtls).flatMap((d) => list(d.TxDtls));
      const remittance = details.flatMap((tx) => texts(path(tx, 'RmtInf', 'Ustrd'))).join(' ');
      const additional = texts(ntry.AddtlNtryInf).join(' ');
      const label = joinLabels(additional, remittance);
      const chequeNumber = details.map((tx) => text(path(tx, 'Refs', 'ChqNb'))).find((c) => c !== null && c !== '');
      return {
        date,
        amount: indicator === 'DBIT' ? -cents : cents,
        label: cleanLabel(label),
        cheque: chequeNumber ?? chequeFromLabel(label),
        bankRef: text(path(ntry, 'AcctSvcrRef')) ?? text(path(ntry, 'NtryRef')),
      };
    });
    const period = path(stmt, 'FrToDt');
    const from = text(path(obj(period), 'FrDtTm'));
    const to = text(path(obj(period), 'ToDtTm'));
    return {
      account,
      period: { from: from ? parseCompactOrIsoDate(from) : null, to: to ? parseCompactOrIsoDate(to) : null },
      openingBalance,
      closingBalance,
      lines,
      line: lineOfNode(stmt),
    };
  });
  return assembleStatement('camt053', parts);
}

/** Is this XML a camt.053? */
export function looksLikeCamt053(text: string): boolean {
  const head = text.slice(0, 4000);
  return (
    /^\s*</.test(text.replace(/^\uFEFF/, '')) && (/camt\.053/.test(head) || /<(?:\w+:)?BkToCstmrStmt[\s>]/.test(head))
  );
}
