// The upper-case plugin of workload 9: gives every line a new text, so that the rows measure what
// carrying a changed text back from a plugin's worker thread costs.
export default { name: 'upper', process: (text) => text.toUpperCase() };
