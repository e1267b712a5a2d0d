// Test-only: reads HTML (or, with --zenn, Markdown rendered by Zenn's own renderer) on stdin and
// writes what tn's tests check as JSON: every list item's text and the elements inside it,
// Zenn's embeds, every link target, and the whole text.
import markdownToHtml from 'zenn-markdown-html';
import * as cheerio from 'cheerio';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const html = process.argv.includes('--zenn')
  ? await markdownToHtml(input, { embedOrigin: 'https://embed.zenn.studio' })
  : input;
const $ = cheerio.load(html);

// Text with <br> as a line break (and the source line break after it dropped).
function text(node) {
  let out = '';
  let afterBr = false;
  const walk = (n) => {
    for (const c of n.children || []) {
      if (c.type === 'text') {
        let t = c.data;
        if (afterBr && t.startsWith('\n')) t = t.slice(1);
        out += t;
        afterBr = false;
      } else if (c.type === 'tag' && c.name === 'br') {
        out += '\n';
        afterBr = true;
      } else if (c.type === 'tag') {
        walk(c);
      }
    }
  };
  walk(node);
  return out;
}

const items = $('li').map((_, li) => ({
  text: text(li),
  tags: $(li).find('*').map((_, e) => e.name).get(),
})).get();
const cards = $('.zenn-embedded-card iframe').map((_, e) => decodeURIComponent($(e).attr('data-content') || '')).get();
const embeds = $('.embed-block').map((_, e) => ({
  class: $(e).attr('class'),
  src: $(e).find('iframe').attr('src') || '',
})).get();
const links = $('a').map((_, e) => $(e).attr('href') || '').get();
const codes = $('pre code').map((_, e) => $(e).text()).get();
const elements = $('*').map((_, e) => e.name).get();
process.stdout.write(JSON.stringify({ items, cards, embeds, links, codes, elements, text: text($.root()[0]) }));
