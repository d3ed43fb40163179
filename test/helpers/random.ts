export { prng } from './prng.mjs';
