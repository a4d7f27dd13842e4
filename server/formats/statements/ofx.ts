/**
 * OFX statements, 1.x (SGML: a header "OFXHEADER:100", leaf elements without closing tags) and
 * 2.x (XML with <?OFX …?>). One tolerant tag reader serves both: an element followed by text is a
 * leaf (its closing tag optional), an element followed by another tag is an aggregate. The reader
 * is one pass over the text with indexOf: linear whatever the input; it never expands entities
 * other than the five of XML and character references.
 */
import type { Statement, StatementLine } from '../../../templates/definition';
import {
  StatementFormatError,
  type StatementPart,
  assembleStatement,
  chequeFromLabel,
  cleanLabel,
  decodeXmlText,
  joinLabels,
  lineError,
  parseCompactOrIsoDate,
  parseDecimalCents,
  refuseXmlDeclarations,
} from './common';

interface OfxNode {
  name: string;
  line: number;
  /** Text of a leaf; null for an aggregate. */
  value: string | null;
  children: OfxNode[];
}

/** OFX aggregates nest about 8 deep; anything far deeper is not a statement. */
const MAX_DEPTH = 64;

function structureError(reason: string, line: number | null): StatementFormatError {
  return new StatementFormatError({ code: 'fichier_invalide', reason, line });
}

/** The tree of the <OFX> element. */
function parseOfxTree(text: string): OfxNode {
  refuseXmlDeclarations(text);
  const start = text.search(/<OFX>/i);
  if (start < 0) throw structureError('l’élément <OFX> est introuvable.', null);
  // Line numbers, counted as the reader moves forward: each newline is passed once.
  let line = 1;
  let nextNewline = text.indexOf('\n');
  const lineOf = (offset: number) => {
    while (nextNewline !== -1 && nextNewline < offset) {
      line += 1;
      nextNewline = text.indexOf('\n', nextNewline + 1);
    }
    return line;
  };
  const root: OfxNode = { name: '#root', line: 1, value: null, children: [] };
  const stack: OfxNode[] = [root];
  // The element just opened, not yet known to be a leaf (text follows) or an aggregate (a tag follows).
  let open: OfxNode | null = null;
  // The leaf just read, whose closing tag may follow (OFX 2) or not (OFX 1).
  let lastLeaf: OfxNode | null = null;
  let pos = start;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (open && chunk.trim() !== '') {
      open.value = cleanLabel(decodeXmlText(chunk));
      lastLeaf = open;
      open = null;
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw structureError('un commentaire n’est jamais refermé.', lineOf(lt));
      pos = end + 3;
      continue;
    }
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) throw structureError('une instruction <? … ?> n’est jamais refermée.', lineOf(lt));
      pos = end + 2;
      continue;
    }
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) throw structureError('une balise n’est jamais refermée (« > » manquant).', lineOf(lt));
    const tag =
      gt - lt > 300 ? null : /^(\/?)([A-Za-z][A-Za-z0-9._:-]*)(?:\s[^>]*?)?(\/?)\s*$/.exec(text.slice(lt + 1, gt));
    if (!tag) throw structureError(`balise illisible « ${text.slice(lt, Math.min(gt + 1, lt + 40))} ».`, lineOf(lt));
    const name = (tag[2] ?? '').toUpperCase();
    const tagLine = lineOf(lt);
    if (tag[1] === '/') {
      if (open && open.name === name) {
        open.value = ''; // <MEMO></MEMO>
      } else if (lastLeaf && lastLeaf.name === name) {
        // the optional closing tag of a leaf
      } else {
        if (open) open.value = '';
        const index = stack.map((n) => n.name).lastIndexOf(name);
        if (index > 0) stack.length = index;
      }
      open = null;
      lastLeaf = null;
    } else {
      if (open) {
        stack.push(open); // an element followed by a tag is an aggregate
        if (stack.length > MAX_DEPTH) throw structureError('les éléments sont imbriqués trop profondément.', tagLine);
      }
      const node: OfxNode = { name, line: tagLine, value: null, children: [] };
      (stack[stack.length - 1] as OfxNode).children.push(node);
      lastLeaf = null;
      if (tag[3] === '/') {
        node.value = '';
        open = null;
      } else {
        open = node;
      }
    }
    pos = gt + 1;
  }
  const ofx = root.children.find((n) => n.name === 'OFX');
  if (!ofx) throw structureError('l’élément <OFX> est introuvable.', null);
  return ofx;
}

function child(node: OfxNode, name: string): OfxNode | undefined {
  return node.children.find((c) => c.name === name);
}

function leaf(node: OfxNode | undefined, name: string): string | null {
  const found = node ? child(node, name) : undefined;
  return found && found.value !== null && found.value !== '' ? found.value : null;
}

function findAll(node: OfxNode, names: string[], into: OfxNode[] = []): OfxNode[] {
  // Iterative: a hostile file cannot exhaust the stack (depth is capped anyway).
  const todo: OfxNode[] = [node];
  while (todo.length > 0) {
    const n = todo.pop() as OfxNode;
    if (names.includes(n.name)) into.push(n);
    else for (let i = n.children.length - 1; i >= 0; i--) todo.push(n.children[i] as OfxNode);
  }
  return into;
}

function readTransaction(trn: OfxNode): StatementLine {
  const amountText = leaf(trn, 'TRNAMT');
  if (amountText === null) throw lineError(trn.line, 'opération sans montant (TRNAMT).');
  const amount = parseDecimalCents(amountText);
  if (amount === null)
    throw lineError(child(trn, 'TRNAMT')?.line ?? trn.line, `le montant « ${amountText} » est illisible.`);
  const dateText = leaf(trn, 'DTPOSTED');
  if (dateText === null) throw lineError(trn.line, 'opération sans date (DTPOSTED).');
  const date = parseCompactOrIsoDate(dateText);
  if (date === null) {
    throw lineError(child(trn, 'DTPOSTED')?.line ?? trn.line, `la date « ${dateText} » n’existe pas ou est illisible.`);
  }
  const label = joinLabels(leaf(trn, 'NAME') ?? leaf(trn, 'PAYEE') ?? '', leaf(trn, 'MEMO') ?? '');
  const checkNum = leaf(trn, 'CHECKNUM');
  return {
    date,
    amount,
    label,
    cheque: checkNum !== null && /\d/.test(checkNum) ? checkNum : chequeFromLabel(label),
    bankRef: leaf(trn, 'FITID'),
  };
}

function optionalDate(node: OfxNode | undefined, name: string): string | null {
  const text = leaf(node, name);
  if (text === null) return null;
  const date = parseCompactOrIsoDate(text);
  if (date === null)
    throw lineError(node ? (child(node, name)?.line ?? node.line) : 1, `la date « ${text} » est illisible.`);
  return date;
}

export function readOfx(text: string): Statement {
  const ofx = parseOfxTree(text);
  const statements = findAll(ofx, ['STMTRS', 'CCSTMTRS']);
  if (statements.length === 0) {
    throw structureError('le fichier OFX ne contient aucun relevé de compte (STMTRS).', ofx.line);
  }
  const parts: StatementPart[] = statements.map((stmt) => {
    const from = child(stmt, 'BANKACCTFROM') ?? child(stmt, 'CCACCTFROM');
    const list = child(stmt, 'BANKTRANLIST');
    const transactions = findAll(stmt, ['STMTTRN']);
    if (!list && transactions.length === 0) {
      throw structureError(
        'le relevé OFX n’a pas de liste d’opérations (BANKTRANLIST, STMTTRN) : le fichier est incomplet.',
        stmt.line,
      );
    }
    const ledger = child(stmt, 'LEDGERBAL');
    const balanceText = leaf(ledger, 'BALAMT');
    const closingBalance = balanceText === null ? null : parseDecimalCents(balanceText);
    if (balanceText !== null && closingBalance === null) {
      throw lineError(
        child(ledger as OfxNode, 'BALAMT')?.line ?? stmt.line,
        `le solde « ${balanceText} » est illisible.`,
      );
    }
    return {
      account: leaf(from, 'ACCTID'),
      period: { from: optionalDate(list, 'DTSTART'), to: optionalDate(list, 'DTEND') },
      openingBalance: null,
      closingBalance,
      lines: transactions.map(readTransaction),
      line: stmt.line,
    };
  });
  return assembleStatement('ofx', parts);
}
