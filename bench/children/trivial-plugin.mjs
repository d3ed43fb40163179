// The trivial plugin of workload 9: keeps every line (a cheap test that reads the text), so that the
// rows measure what running a plugin costs, not what the plugin does.
export default { name: 'trivial', process: (text) => (text.length > 1_000_000 ? null : undefined) };
