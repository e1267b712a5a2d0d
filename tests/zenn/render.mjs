// Reads Markdown on stdin, writes Zenn's HTML on stdout.
// embedOrigin makes @[card](url) and bare-URL lines render as Zenn's card iframe (as on zenn.dev);
// rendering itself makes no network request.
import markdownToHtml from 'zenn-markdown-html';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const html = await markdownToHtml(input, { embedOrigin: 'https://embed.zenn.studio' });
process.stdout.write(html);
