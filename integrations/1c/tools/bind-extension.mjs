#!/usr/bin/env node
/**
 * Binds the SverkaFeed extension dump to one main configuration before it is loaded into 1C.
 *
 * An extension refers to the objects it adopts (the language, Catalog.Контрагенты,
 * Catalog.КонтактныеЛица, Document.ЗаказКлиента) by their uuids in the main configuration
 * (`ExtendedConfigurationObject`). Those differ between БП, УТ and КА, so the dump ships a placeholder
 * (all zeros) and this tool copies the dump, putting in the uuids read from a Designer XML dump of the
 * customer's main configuration. An adopted catalog or document the configuration lacks is left out of
 * the extension (with its exchange-plan and role entries); the feed then simply does not carry it.
 *
 *   node integrations/1c/tools/bind-extension.mjs --base <dump of the main configuration> --out <dir>
 *       [--src integrations/1c/SverkaFeed]
 *
 * The main configuration dump: Designer `/DumpConfigToFiles <dir>` (only `Configuration.xml`,
 * `Languages/`, `Catalogs/<Name>.xml` and `Documents/<Name>.xml` are read). No dependencies: plain Node.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
const FOLDERS = { Language: 'Languages', Catalog: 'Catalogs', Document: 'Documents' };

function read(path) {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
}

/** Root object of a metadata XML file: its kind, uuid, name and whether it is adopted. */
export function rootObject(xml) {
  const m = /<MetaDataObject\b[^>]*>\s*<(\w+)\s+uuid="([0-9a-fA-F-]{36})"/.exec(xml);
  if (!m) return null;
  const name = /<Properties>\s*(?:<ObjectBelonging>\w+<\/ObjectBelonging>\s*)?<Name>([^<]+)<\/Name>/.exec(xml);
  return {
    kind: m[1],
    uuid: m[2].toLowerCase(),
    name: name ? name[1] : null,
    adopted: /<ObjectBelonging>Adopted<\/ObjectBelonging>/.test(xml),
  };
}

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/**
 * Copies `src` to `out` bound to the main configuration dumped in `base`.
 * @param {{ src: string, base: string, out: string }} opts
 * @returns {{ bound: { kind: string, name: string, uuid: string }[], dropped: { kind: string, name: string }[] }}
 */
export function bindExtension({ src, base, out }) {
  if (!existsSync(join(base, 'Configuration.xml')))
    throw new Error(`${base}: no Configuration.xml (expected a Designer XML dump of the main configuration)`);
  if (resolve(out) === resolve(src)) throw new Error('--out must differ from --src');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(src, out, { recursive: true });

  const bound = [];
  const dropped = [];
  for (const file of walk(out).filter((f) => f.endsWith('.xml'))) {
    const rel = relative(out, file);
    if (rel === 'Configuration.xml' || rel.split(/[\\/]/).length !== 2) continue;
    const xml = read(file);
    const obj = rootObject(xml);
    if (!obj || !obj.adopted || !(obj.kind in FOLDERS)) continue;
    const basePath = join(base, FOLDERS[obj.kind], `${obj.name}.xml`);
    const baseObj = existsSync(basePath) ? rootObject(read(basePath)) : null;
    if (!baseObj || baseObj.kind !== obj.kind) {
      if (obj.kind === 'Language')
        throw new Error(`the main configuration has no language ${obj.name}: the extension cannot be bound`);
      drop(out, obj);
      dropped.push({ kind: obj.kind, name: obj.name });
      continue;
    }
    writeFileSync(
      file,
      xml.replace(
        /<ExtendedConfigurationObject>[^<]*<\/ExtendedConfigurationObject>/,
        `<ExtendedConfigurationObject>${baseObj.uuid}</ExtendedConfigurationObject>`,
      ),
      'utf8',
    );
    bound.push({ kind: obj.kind, name: obj.name, uuid: baseObj.uuid });
  }
  const content = join(out, 'ExchangePlans', 'svk_Изменения', 'Ext', 'Content.xml');
  if (existsSync(content) && !/<Item>/.test(read(content)))
    throw new Error('none of the synced objects exists in the main configuration: nothing to feed');
  return { bound, dropped };
}

/** Leaves an adopted object out: its file, its line in Configuration.xml, exchange-plan item and role rights. */
function drop(out, obj) {
  const ref = `${obj.kind}.${obj.name}`;
  rmSync(join(out, FOLDERS[obj.kind], `${obj.name}.xml`), { force: true });
  edit(join(out, 'Configuration.xml'), (t) => t.replace(new RegExp(`[ \\t]*<${obj.kind}>${esc(obj.name)}</${obj.kind}>\\r?\\n`), ''));
  edit(join(out, 'ExchangePlans', 'svk_Изменения', 'Ext', 'Content.xml'), (t) =>
    t.replace(new RegExp(`[ \\t]*<Item>\\s*<Metadata>${esc(ref)}</Metadata>[\\s\\S]*?</Item>\\r?\\n`), ''),
  );
  for (const rights of walk(join(out, 'Roles')).filter((f) => f.endsWith('Rights.xml')))
    edit(rights, (t) => t.replace(new RegExp(`[ \\t]*<object>\\s*<name>${esc(ref)}</name>[\\s\\S]*?</object>\\r?\\n`), ''));
}

function edit(path, change) {
  if (existsSync(path)) writeFileSync(path, change(read(path)), 'utf8');
}

function esc(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function main(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  const here = dirname(fileURLToPath(import.meta.url));
  const src = args.src ?? join(here, '..', 'SverkaFeed');
  if (!args.base || !args.out) {
    process.stderr.write('usage: node bind-extension.mjs --base <main configuration dump> --out <dir> [--src <SverkaFeed dump>]\n');
    return 2;
  }
  try {
    const { bound, dropped } = bindExtension({ src, base: args.base, out: args.out });
    for (const b of bound) process.stdout.write(`bound   ${b.kind}.${b.name} → ${b.uuid}\n`);
    for (const d of dropped) process.stdout.write(`dropped ${d.kind}.${d.name}: not in the main configuration\n`);
    process.stdout.write(`written ${args.out}: load it with /LoadConfigFromFiles … -Extension SverkaFeed\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exit(main(process.argv.slice(2)));
