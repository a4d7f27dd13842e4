/**
 * Entry of the task pane. Inside Excel, the workbook is the real one (the adapter); in a plain
 * browser (tests, demonstration) an in-memory workbook stands behind the same interface and is
 * exposed as `window.cahierWorkbook`.
 */
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { App } from './ui/app';
import { ExcelWorkbook } from './excel-workbook';
import { MemoryWorkbook } from './memory-workbook';
import type { CahierWorkbook } from './workbook';

declare global {
  interface Window {
    cahierWorkbook?: MemoryWorkbook;
  }
}

function start(workbook: CahierWorkbook): void {
  const root = document.getElementById('app')!;
  createRoot(root).render(
    <FluentProvider theme={webLightTheme}>
      <App workbook={workbook} />
    </FluentProvider>,
  );
}

/**
 * Outside Excel, the in-memory workbook claims ExcelApi 1.9 unless the page asks for another set
 * (taskpane.html?excelApi=1.13: it then takes in the service's whole workbook, as Excel would).
 */
function inMemory(): void {
  const asked = new URLSearchParams(window.location.search).get('excelApi');
  const wb = new MemoryWorkbook(asked && /^\d+\.\d+$/.test(asked) ? asked : undefined);
  window.cahierWorkbook = wb;
  start(wb);
}

if (typeof Office !== 'undefined' && typeof Office.onReady === 'function') {
  void Office.onReady((info) => (info.host === Office.HostType.Excel ? start(new ExcelWorkbook()) : inMemory()));
} else {
  inMemory();
}
