#!/usr/bin/env node
// Look at a built page the way readers' browsers show it at several window widths, and measure what matters on
// a phone, a tablet and a desktop.
//
//   node tests/e2e/layout_check.js PAGE.html [--widths 390,768,1280] [--height 900]
//
// Opens the file in headless Chromium (the system's, $CHROMIUM or /usr/bin/chromium, driven by playwright-core;
// no browser is downloaded). A reveal.js deck that starts (a landscape window) is measured slide by slide. Prints
// one JSON object on stdout, per width:
//
//   page:     {viewportWidth, scrollWidth, wideElements}  - horizontal overflow of the page
//   tables:   [{caption, width, right, scroller, scrollerRight}] - scroller: the table sits in a box that scrolls
//             sideways (overflow-x auto/scroll) and that box ends within the window; else the table must fit
//   charts:   [{caption, slide, textPt, naturalWidth, naturalHeight, shownWidth, shownHeight, scale, textPx}]
//             every chart picture shown: its smallest text (data-text-pt, pt), its natural size at 96 dpi (PNG
//             pixels and the PNG's pHYs resolution), the size of the picture on screen (object-fit: contain
//             included) and so the size of its smallest text in CSS px: pt x 96/72 x scale
//   links:    [{href, kind, target, ok}] - every link: in-page (#id exists), a reveal.js route (#/n, n a slide), or a
//             relative file (checked on disk); anything else is not ok
//   anchors:  [{href, headingTop, coverBottom}] - each contents link followed: the heading's top and the bottom of
//             the sticky bar above it (0 without a bar)
//   controls: {slideNumber, next, overlap} - a deck's slide number and "next" arrow (boxes), and whether they overlap
//   axe:      {version, violations: [{id, impact, tags, help, nodes: [{target, summary}]}]} - axe-core, WCAG
//             2.0/2.1/2.2 A and AA rules and axe's best practices
//
// The exit code is 0 whenever the page could be checked.
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');
const { chromium } = require('playwright-core');

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

function parseArgs(argv) {
  const options = { widths: [390, 768, 1280], height: 900, file: null };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--widths') options.widths = argv[(i += 1)].split(',').map(Number);
    else if (argv[i] === '--height') options.height = Number(argv[(i += 1)]);
    else options.file = argv[i];
  }
  if (!options.file || options.widths.some((w) => !Number.isFinite(w))) {
    throw new Error('usage: node tests/e2e/layout_check.js PAGE.html [--widths 390,768,1280] [--height 900]');
  }
  return options;
}

// Runs in the page: what is shown now (charts only within `scope`, e.g. the present slide).
function measure(scopeSelector) {
  const root = document.documentElement;
  const shown = (element) => {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
  };
  const describe = (element) => {
    const id = element.id ? `#${element.id}` : '';
    const classes = element.classList.length ? `.${[...element.classList].join('.')}` : '';
    return `${element.tagName.toLowerCase()}${id}${classes}`;
  };

  // PNG header of a data: URL: pixel size (IHDR) and resolution (pHYs, pixels per metre), read chunk by chunk.
  const pngSize = (src) => {
    const data = src.slice(src.indexOf(',') + 1);
    const bytesAt = (start, length) => {
      const first = Math.floor(start / 3) * 4;
      const last = Math.ceil((start + length) / 3) * 4;
      const raw = atob(data.slice(first, last));
      const offset = start - (first / 4) * 3;
      return Array.from(raw.slice(offset, offset + length), (c) => c.charCodeAt(0));
    };
    const uint = (b) => ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
    const header = bytesAt(16, 8);
    const size = { width: uint(header.slice(0, 4)), height: uint(header.slice(4, 8)), dpi: null };
    let at = 8;
    for (let n = 0; n < 50; n += 1) {
      const chunk = bytesAt(at, 8);
      const length = uint(chunk.slice(0, 4));
      const type = String.fromCharCode(...chunk.slice(4, 8));
      if (type === 'pHYs') {
        const phys = bytesAt(at + 8, 9);
        if (phys[8] === 1) size.dpi = uint(phys.slice(0, 4)) * 0.0254;
        break;
      }
      if (type === 'IDAT' || type === 'IEND') break;
      at += 12 + length;
    }
    return size;
  };

  const clipped = (element) => {
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > innerWidth + 0.5 && !clipped(element)) {
      wide.push({ element: describe(element), right: Math.round(box.right) });
      if (wide.length >= 20) break;
    }
  }

  const scroller = (element) => {
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(node).overflowX)) return node;
    }
    return null;
  };
  const tables = [...document.querySelectorAll('table')].filter(shown).map((table) => {
    const box = table.getBoundingClientRect();
    const box2 = scroller(table)?.getBoundingClientRect();
    return {
      caption: (table.caption?.textContent || '').trim().slice(0, 80),
      width: Math.round(box.width),
      left: Math.round(box.left),
      right: Math.round(box.right),
      scroller: Boolean(box2),
      scrollerLeft: box2 ? Math.round(box2.left) : null,
      scrollerRight: box2 ? Math.round(box2.right) : null,
    };
  });

  const scope = scopeSelector ? document.querySelector(scopeSelector) : document;
  const charts = !scope ? [] : [...scope.querySelectorAll('figure.chart img')].filter(shown).map((image) => {
    const size = pngSize(image.getAttribute('src'));
    const naturalWidth = (size.width * 96) / size.dpi;
    const naturalHeight = (size.height * 96) / size.dpi;
    const box = image.getBoundingClientRect();
    const fit = getComputedStyle(image).objectFit;
    // The picture inside the box: scaled to fit (contain) or stretched to the box (fill, the proportions kept
    // by height: auto): the smaller of the two scales is the one its text is drawn at.
    const scale = fit === 'contain' || fit === 'fill'
      ? Math.min(box.width / naturalWidth, box.height / naturalHeight)
      : box.width / naturalWidth;
    const textPt = Number(image.dataset.textPt);
    return {
      caption: (image.closest('figure').querySelector('figcaption')?.textContent || image.alt).slice(0, 80),
      textPt,
      dpi: size.dpi,
      naturalWidth: Math.round(naturalWidth),
      naturalHeight: Math.round(naturalHeight),
      shownWidth: Math.round(box.width),
      shownHeight: Math.round(box.height),
      scale: Math.round(scale * 1000) / 1000,
      textPx: Math.round(textPt * (96 / 72) * scale * 100) / 100,
    };
  });
  return { page: { viewportWidth: innerWidth, scrollWidth: root.scrollWidth, wideElements: wide }, tables, charts };
}

// Runs in the page: every link, classified; files are checked by the caller.
function links(slideCount) {
  return [...document.querySelectorAll('a[href]')].map((link) => {
    const href = link.getAttribute('href');
    if (slideCount > 0 && /^#\/(\d+)?(\/\d+)?$/.test(href)) {  // a reveal.js route: #/ is the first slide
      const slide = Number(href.slice(2).split('/')[0] || 0);
      return { href, kind: 'slide', ok: slide < slideCount };
    }
    if (href.startsWith('#')) {
      return { href, kind: 'anchor', ok: Boolean(document.getElementById(decodeURIComponent(href.slice(1)))) };
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return { href, kind: 'external', ok: false };
    return { href, kind: 'file', target: new URL(href, document.baseURI).href, ok: null };
  });
}

// Runs in the page: follow each contents link and see where its heading lands under the sticky bar.
async function followContents() {
  const bar = document.querySelector('.sample-banner');
  const found = [];
  for (const link of document.querySelectorAll('nav.toc a[href^="#"]')) {
    const heading = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    window.scrollTo(0, 0);
    link.click();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const coverBottom = bar && getComputedStyle(bar).position === 'sticky' ? bar.getBoundingClientRect().bottom : 0;
    found.push({
      href: link.getAttribute('href'),
      headingTop: Math.round(heading.getBoundingClientRect().top),
      coverBottom: Math.round(coverBottom),
      atBottom: Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight,
    });
  }
  window.scrollTo(0, 0);
  return found;
}

async function axe(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return {
    version: results.testEngine.version,
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      tags: violation.tags,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => ({
        target: node.target.join(' '),
        summary: (node.failureSummary || '').slice(0, 300),
      })),
    })),
  };
}

async function check(browser, file, width, height) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'de-DE' });
  const page = await context.newPage();
  await page.route(/^(https?|wss?|ftp):/, (route) => route.abort('blockedbyclient'));
  await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
  const slideCount = await page.evaluate(async () => {
    if (!window.Reveal || !Reveal.isReady || !document.querySelector('.reveal.ready, html.reveal-full-page')) return 0;
    return Reveal.getTotalSlides();
  });

  const result = { width, deck: slideCount > 0 };
  if (slideCount) {
    // A started deck shows one slide at a time: measure each.
    const first = await page.evaluate(measure, null);
    result.page = first.page;
    result.tables = first.tables;
    result.charts = [];
    for (let slide = 0; slide < slideCount; slide += 1) {
      await page.evaluate((n) => Reveal.slide(n), slide);
      await page.waitForTimeout(100);
      const seen = await page.evaluate(measure, '.reveal .slides > section.present');
      result.charts.push(...seen.charts.map((chart) => ({ ...chart, slide })));
      if (seen.page.scrollWidth > result.page.scrollWidth) result.page = seen.page;
    }
    result.controls = await page.evaluate(() => {
      const box = (selector) => {
        const element = document.querySelector(selector);
        if (!element || getComputedStyle(element).display === 'none') return null;
        const { left, top, right, bottom } = element.getBoundingClientRect();
        return { left, top, right, bottom };
      };
      const number = box('.reveal .slide-number');
      const next = box('.reveal .controls .navigate-right');
      const overlap = Boolean(number && next && number.left < next.right && next.left < number.right
        && number.top < next.bottom && next.top < number.bottom);
      return { slideNumber: number, next, overlap };
    });
    await page.evaluate(() => Reveal.slide(0));
    await page.waitForTimeout(100);
  } else {
    Object.assign(result, await page.evaluate(measure, null));
    result.anchors = await page.evaluate(followContents);
  }
  result.links = (await page.evaluate(links, slideCount)).map((link) => {
    if (link.kind !== 'file') return link;
    const target = fileURLToPath(link.target.split('#')[0].split('?')[0]);
    return { ...link, target, ok: fs.existsSync(target) && fs.statSync(target).isFile() };
  });
  result.axe = await axe(page);
  await context.close();
  return result;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const results = [];
    for (const width of options.widths) results.push(await check(browser, options.file, width, options.height));
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
