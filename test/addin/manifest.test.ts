/**
 * The add-in manifest (Microsoft's validator is online only): required elements in schema
 * order, https URLs, a GUID id, the package version, the ExcelApi set the adapter needs (the
 * highest set of the Office.js calls it makes without an `isSetSupported` guard), the Home-tab
 * button, and every resource it names present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const ROOT = join(__dirname, '../..');
const xml = readFileSync(join(ROOT, 'manifest.xml'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
type Node = Record<string, unknown>;
const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(xml) as Node[];
const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as { OfficeApp: Node };
const app = doc.OfficeApp as Record<string, any>;

const SCHEMA_ORDER = [
  'Id',
  'AlternateId',
  'Version',
  'ProviderName',
  'DefaultLocale',
  'DisplayName',
  'Description',
  'IconUrl',
  'HighResolutionIconUrl',
  'SupportUrl',
  'AppDomains',
  'Hosts',
  'Requirements',
  'DefaultSettings',
  'Permissions',
  'VersionOverrides',
];
const REQUIRED = [
  'Id',
  'Version',
  'ProviderName',
  'DefaultLocale',
  'DisplayName',
  'Description',
  'IconUrl',
  'DefaultSettings',
  'Permissions',
];

describe('manifest.xml', () => {
  test('a TaskPaneApp whose elements follow the schema order, the required ones present', () => {
    const root = ordered.find((n) => 'OfficeApp' in n)!;
    expect((root[':@'] as Node)['@_xsi:type']).toBe('TaskPaneApp');
    const children = (root.OfficeApp as Node[])
      .map((n) => Object.keys(n).find((k) => k !== ':@')!)
      .filter((k) => k !== '#comment');
    for (const r of REQUIRED) expect(children).toContain(r);
    const positions = children.map((c) => SCHEMA_ORDER.indexOf(c));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('a GUID id and the package’s version', () => {
    expect(app.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(app.Version).toBe(`${pkg.version}.0`);
  });

  test('Excel workbooks, read-write, ExcelApi 1.8: the highest set the adapter calls without a guard', () => {
    expect(app.Hosts.Host['@Name']).toBe('Workbook');
    const set = app.Requirements.Sets.Set;
    expect(set['@Name']).toBe('ExcelApi');
    expect(set['@MinVersion']).toBe('1.8');
    expect(app.Requirements.Sets['@DefaultMinVersion']).toBe('1.8');
    expect(app.Permissions).toBe('ReadWriteDocument');
  });

  test('every Office.js call of the adapter above the manifest’s set is guarded by isSetSupported', () => {
    // The members of the Excel API the adapter may call beyond ExcelApi 1.1, with their set
    // (Microsoft's reference, "API set" of each member).
    const SETS: [RegExp, string][] = [
      [/\.columnWidth\b|\.columnHidden\b|\.autofitColumns\(/, '1.2'],
      [/\.showTotals\b/, '1.3'],
      [/\.getItemOrNullObject\(|\.names\.add\(/, '1.4'],
      [/\.conditionalFormats\b/, '1.6'],
      [/\.onChanged\b|\.freezePanes\b/, '1.7'],
      [/\.dataValidation\b/, '1.8'],
      [/\.getRanges\(/, '1.9'],
      [/\.insertWorksheetsFromBase64\(/, '1.13'],
    ];
    const source = readFileSync(join(ROOT, 'addin/src/excel-workbook.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const manifestSet = Number(app.Requirements.Sets.Set['@MinVersion'].split('.')[1]);
    const minor = (v: string) => Number(v.split('.')[1]);
    const used = SETS.filter(([re]) => re.test(source)).map(([, v]) => v);
    const guarded = (v: string) => new RegExp(`supportsExcelApi\\('${v.replace('.', '\\.')}'\\)`).test(source);
    // Every call above the manifest's set is guarded…
    const unguardedAbove = used.filter((v) => minor(v) > manifestSet && !guarded(v));
    expect(unguardedAbove).toEqual([]);
    // …and the manifest asks no more than the highest set called without a guard.
    const unguarded = used.filter((v) => !guarded(v)).map(minor);
    expect(Math.max(...unguarded)).toBe(manifestSet);
    // The guarded sets the pane relies on today: multi-area selection and the whole workbook.
    expect(used.filter(guarded)).toEqual(expect.arrayContaining(['1.9', '1.13']));
  });

  test('every URL is https, on the service’s origin, and the task pane page is the one the service serves', () => {
    const urls = [...xml.matchAll(/DefaultValue="(\w+:\/\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(5);
    for (const u of urls) expect(u).toMatch(/^https:\/\/localhost:3000\//);
    expect(app.DefaultSettings.SourceLocation['@DefaultValue']).toBe('https://localhost:3000/taskpane.html');
    for (const icon of [...xml.matchAll(/\/assets\/([\w-]+\.png)/g)].map((m) => m[1]!)) {
      expect(existsSync(join(ROOT, 'addin/assets', icon))).toBe(true);
    }
  });

  test('a button on the Home tab opens the pane; every resource id it uses is declared', () => {
    const host = app.VersionOverrides.Hosts.Host;
    const tab = host.DesktopFormFactor.ExtensionPoint.OfficeTab;
    expect(tab['@id']).toBe('TabHome');
    const control = tab.Group.Control;
    expect(control['@xsi:type']).toBe('Button');
    expect(control.Action['@xsi:type']).toBe('ShowTaskpane');
    const declared = new Set([...xml.matchAll(/<bt:(?:Image|Url|String) id="([^"]+)"/g)].map((m) => m[1]));
    const used = [...xml.matchAll(/resid="([^"]+)"/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(5);
    for (const id of used) expect(declared).toContain(id);
  });
});
