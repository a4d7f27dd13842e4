/**
 * Completes what the spreadsheet library leaves out of the file: the formula of custom totals
 * in a table's definition, and print areas made of several ranges (one defined name, as Excel
 * expects, rather than one per range).
 */
import JSZip from 'jszip';

export interface FinalizeOptions {
  /** Per table name: column name → custom totals formula. */
  totalsFormulas: Record<string, Record<string, string>>;
  /** Per 0-based sheet index: the print ranges ("'Cahier'!$A$1:$O$300"). */
  printAreas: Record<number, string[]>;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function finalizeXlsx(buffer: Buffer, options: FinalizeOptions): Promise<Buffer> {
  const zip = await JSZip.loadAsync(buffer);
  for (const path of Object.keys(zip.files).filter((p) => /^xl\/tables\/table\d+\.xml$/.test(p))) {
    let xml = await zip.file(path)!.async('string');
    const name = /<table [^>]*\bname="([^"]+)"/.exec(xml)?.[1];
    const formulas = name ? options.totalsFormulas[name] : undefined;
    if (!formulas) continue;
    for (const [column, formula] of Object.entries(formulas)) {
      const selfClosing = new RegExp(`<tableColumn ([^>]*name="${escapeRegExp(escapeXml(column))}"[^>]*)/>`);
      xml = xml.replace(
        selfClosing,
        (_m, attrs: string) =>
          `<tableColumn ${attrs}><totalsRowFormula>${escapeXml(formula)}</totalsRowFormula></tableColumn>`,
      );
    }
    zip.file(path, xml);
  }
  let workbook = await zip.file('xl/workbook.xml')!.async('string');
  for (const [sheet, ranges] of Object.entries(options.printAreas)) {
    const name = `<definedName name="_xlnm.Print_Area" localSheetId="${sheet}">${escapeXml(ranges.join(','))}</definedName>`;
    workbook = workbook.includes('<definedNames>')
      ? workbook.replace('<definedNames>', `<definedNames>${name}`)
      : workbook.replace('</sheets>', `</sheets><definedNames>${name}</definedNames>`);
  }
  zip.file('xl/workbook.xml', workbook);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
