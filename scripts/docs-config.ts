import { readFileSync, writeFileSync } from 'node:fs';
import { replaceOptionTable } from '../src/config/docs.js';

const file = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(file, replaceOptionTable(readFileSync(file, 'utf8')));
console.log('docs/configuration.md updated');
