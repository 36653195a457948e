#!/usr/bin/env node
// Look at a built report the way a reader's browser shows it, and run axe-core on it.
//
//   node tests/axe_check.js REPORT.html [--width 1280] [--height 900]
//
// Opens the file in headless Chromium (the system's, $CHROMIUM or /usr/bin/chromium; playwright-core only
// drives it, it downloads no browser), runs axe-core with the WCAG 2.0/2.1 A and AA rules (the ones BITV 2.0
// refers to) and measures what a reader sees. Prints one JSON object on stdout:
//
//   axe:     {version, violations: [{id, impact, help, helpUrl, nodes: [{target, html, summary}]}]}
//   page:    {title, h1, h1Visible, viewportWidth, scrollWidth, clientWidth, wideElements, text,
//             codeElements, resources}
//   requests: every URL the page asked for (the report itself included); requests that leave the machine
//             are answered with an error, never sent.
//
// Used by tests/test_accessibility.py; the exit code is 0 whenever the page could be checked.
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// Markup that only a notebook's code cells or prompts produce.
const CODE_SELECTORS = [
  '.jp-InputArea', '.jp-InputPrompt', '.jp-OutputPrompt', '.jp-CodeCell', '.input_area', '.prompt',
  '.highlight', '.CodeMirror', '[data-tags]',
].join(', ');

function parseArgs(argv) {
  const options = { width: 1280, height: 900, file: null };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--width') options.width = Number(argv[(i += 1)]);
    else if (argv[i] === '--height') options.height = Number(argv[(i += 1)]);
    else options.file = argv[i];
  }
  if (!options.file || !Number.isFinite(options.width) || !Number.isFinite(options.height)) {
    throw new Error('usage: node tests/axe_check.js REPORT.html [--width 1280] [--height 900]');
  }
  return options;
}

function shorten(text, length = 240) {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      locale: 'de-DE',
    });
    const page = await context.newPage();
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    // Nothing may leave the machine: record such a request (above) and fail it.
    await page.route(/^(https?|wss?|ftp):/, (route) => route.abort('blockedbyclient'));

    await page.goto(pathToFileURL(path.resolve(options.file)).href, { waitUntil: 'load' });

    const seen = await page.evaluate((codeSelectors) => {
      const root = document.documentElement;
      const h1 = document.querySelector('h1');
      const visible = (element) => {
        if (!element) return false;
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && box.top < innerHeight && box.bottom > 0
          && style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
      };
      const describe = (element) => {
        const id = element.id ? `#${element.id}` : '';
        const classes = element.classList.length ? `.${[...element.classList].join('.')}` : '';
        return `${element.tagName.toLowerCase()}${id}${classes}`;
      };
      const wide = [];
      for (const element of document.body.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > root.clientWidth + 0.5) {
          wide.push({ element: describe(element), right: Math.round(box.right) });
          if (wide.length >= 20) break;
        }
      }
      return {
        title: document.title,
        h1: h1 ? h1.innerText.trim() : null,
        h1Visible: visible(h1),
        viewportWidth: innerWidth,
        scrollWidth: root.scrollWidth,
        clientWidth: root.clientWidth,
        wideElements: wide,
        text: document.body.innerText,
        codeElements: [...document.querySelectorAll(codeSelectors)].map(describe).slice(0, 20),
        resources: performance.getEntriesByType('resource').map((entry) => entry.name),
      };
    }, CODE_SELECTORS);

    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      WCAG_TAGS,
    );
    const axe = {
      version: results.testEngine.version,
      violations: results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.slice(0, 10).map((node) => ({
          target: node.target.join(' '),
          html: shorten(node.html),
          summary: shorten(node.failureSummary || '', 400),
        })),
      })),
    };
    process.stdout.write(`${JSON.stringify({ axe, page: seen, requests })}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
