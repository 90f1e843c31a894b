export * from './converter.util.js';
export * from './company.converter.js';
export * from './contact.converter.js';
export * from './deal.converter.js';
export * from './invoice.converter.js';
export * from './requisite.converter.js';
export * from './stage.converter.js';
export * from './todo.converter.js';
