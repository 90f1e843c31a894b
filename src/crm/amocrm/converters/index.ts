export * from './converter.util.js';
export * from './company.converter.js';
export * from './contact.converter.js';
export * from './lead.converter.js';
export * from './current.converter.js';
export * from './stage.converter.js';
