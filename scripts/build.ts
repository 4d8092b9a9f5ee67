// `npm run build`: what `npm start` runs, made from the sources: the explorer's browser files in dist/explorer/,
// and the server bundled into dist/server.js, with its SQLite search thread beside it.
import { writeExplorer } from '../src/resources/explorer/build.ts';
import { bundleSearchThread, bundleServer } from './bundle-server.ts';

const explorer = await writeExplorer();
const sizes = [...explorer.assets.values()].map((a) => `${a.name} (${(a.contents.length / 1024).toFixed(1)} kB)`);
console.log(`explorer built into dist/explorer/: ${sizes.join(', ')}`);
await bundleServer();
await bundleSearchThread();
console.log('server bundled into dist/server.js, its search thread into dist/sqlite-search-worker.js');
