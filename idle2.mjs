const v8 = await import('node:v8');
const what = process.argv[2];
for (const m of what.split(',')) await import(m);
globalThis.gc(); globalThis.gc();
const h = v8.getHeapStatistics();
console.log(what.padEnd(60), 'used', (h.used_heap_size/1048576).toFixed(1), 'rss', (process.memoryUsage().rss/1048576).toFixed(1));
