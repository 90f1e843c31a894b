import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { bindExtension, PLACEHOLDER } from '../../integrations/1c/tools/bind-extension.mjs';
import { FEED_NODE } from '../../src/feed/feed.constants.js';
import { DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT } from '../../src/onec/feed/onec-feed.port.js';

/**
 * The SverkaFeed extension (integrations/1c/SverkaFeed) as Designer XML dump source: no 1C platform here,
 * so this checks what can be checked without one — every XML file parses, uuids are distinct, names and
 * references agree across files, handlers and job methods exist in the modules, and the constants the
 * modules share with Sverka agree. The bind tool (integrations/1c/tools) is checked on a fake main dump.
 */
const DUMP = join(process.cwd(), 'integrations', '1c', 'SverkaFeed');
const MD = 'http://v8.1c.ru/8.3/MDClasses';
const FOLDERS: Record<string, string> = {
  Language: 'Languages',
  Role: 'Roles',
  CommonModule: 'CommonModules',
  ExchangePlan: 'ExchangePlans',
  HTTPService: 'HTTPServices',
  ScheduledJob: 'ScheduledJobs',
  Constant: 'Constants',
  Catalog: 'Catalogs',
  Document: 'Documents',
  InformationRegister: 'InformationRegisters',
};
/** ClassIds of Configuration.xml's ContainedObject entries: the same in every configuration. */
const FIXED_IDS = new Set([
  '9cd510cd-abfc-11d4-9434-004095e12fc7',
  '9fcd25a0-4822-11d4-9414-008048da11f9',
  'e3687481-0a87-462c-a166-9f34594f9bba',
  '9de14907-ec23-4a07-96f0-85521cb6b53b',
  '51f2d5d8-ea4d-4064-8892-82951750031e',
  'e68182ea-4237-4383-967f-90c1e3370bc7',
  'fb282519-d103-4dd3-bc12-cb271d631dfc',
]);
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function parse(path: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      errors.push(`${level}: ${message}`);
    },
  }).parseFromString(readFileSync(path, 'utf8'), 'text/xml');
  if (errors.length) throw new Error(`${path}: ${errors.join('; ')}`);
  return doc;
}

const kids = (el: Element, name?: string): Element[] =>
  Array.from(el.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (!name || (n as Element).localName === name),
  );
const text = (el: Element | undefined, name: string): string | null => {
  const found = el ? kids(el, name)[0] : undefined;
  return found ? (found.textContent ?? '') : null;
};

interface MdObject {
  file: string;
  kind: string;
  name: string;
  uuid: string;
  adopted: boolean;
  extended: string | null;
  root: Element;
}

function readObject(path: string): MdObject {
  const doc = parse(path);
  const root = doc.documentElement!;
  const obj = kids(root)[0];
  const props = kids(obj, 'Properties')[0];
  return {
    file: path,
    kind: obj.localName!,
    name: text(props, 'Name') ?? '',
    uuid: obj.getAttribute('uuid') ?? '',
    adopted: text(props, 'ObjectBelonging') === 'Adopted',
    extended: text(props, 'ExtendedConfigurationObject'),
    root,
  };
}

function bsl(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), 'utf8');
}

/** Exported procedures and functions of a module, with their parameter counts. */
function exported(source: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of source.matchAll(/^(?:Процедура|Функция)\s+([\wА-Яа-яЁё]+)\(([^)]*)\)\s+Экспорт/gmu))
    out.set(m[1], m[2].trim() ? m[2].split(',').length : 0);
  return out;
}

/** Every problem of a dump directory; empty when consistent. */
function checkDump(dir: string): string[] {
  const problems: string[] = [];
  const all = files(dir);
  for (const f of all.filter((p) => p.endsWith('.xml'))) {
    try {
      parse(f);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) return problems;

  const cfg = readObject(join(dir, 'Configuration.xml'));
  const cfgProps = kids(kids(cfg.root)[0], 'Properties')[0];
  const expectProp = (name: string, value: string) => {
    if (text(cfgProps, name) !== value) problems.push(`Configuration.xml ${name} is not ${value}`);
  };
  expectProp('Name', 'SverkaFeed');
  expectProp('ObjectBelonging', 'Adopted');
  expectProp('ConfigurationExtensionPurpose', 'AddOn');
  expectProp('NamePrefix', 'svk_');
  expectProp('KeepMappingToExtendedConfigurationObjectsByIDs', 'false');

  // Configuration.xml lists exactly the object files, with matching kinds and names.
  const listed = kids(kids(kids(cfg.root)[0], 'ChildObjects')[0]).map(
    (e) => `${e.localName}.${e.textContent}`,
  );
  const objects = all
    .filter((p) => p.endsWith('.xml') && relative(dir, p).split(/[\\/]/).length === 2)
    .map(readObject);
  const byRef = new Map(objects.map((o) => [`${o.kind}.${o.name}`, o]));
  for (const ref of listed) {
    const o = byRef.get(ref);
    if (!o) problems.push(`Configuration.xml lists ${ref} but there is no such object file`);
    else if (relative(dir, o.file) !== join(FOLDERS[o.kind] ?? '?', `${o.name}.xml`))
      problems.push(`${ref} is in ${relative(dir, o.file)}`);
  }
  for (const o of objects)
    if (!listed.includes(`${o.kind}.${o.name}`))
      problems.push(`${relative(dir, o.file)} is not listed in Configuration.xml`);
  if (new Set(listed).size !== listed.length) problems.push('Configuration.xml lists an object twice');

  // Own objects carry the prefix; adopted ones name their original; every uuid is distinct.
  for (const o of objects) {
    if (o.adopted && o.extended === null)
      problems.push(`${o.kind}.${o.name}: adopted without ExtendedConfigurationObject`);
    if (!o.adopted && !o.name.startsWith('svk_'))
      problems.push(`${o.kind}.${o.name}: own object without the svk_ prefix`);
    if (!o.adopted && o.extended !== null)
      problems.push(`${o.kind}.${o.name}: own object with ExtendedConfigurationObject`);
    if (o.root.getAttribute('version') !== '2.17')
      problems.push(`${o.kind}.${o.name}: format version is not 2.17`);
    for (const g of Array.from(
      o.root.getElementsByTagNameNS('http://v8.1c.ru/8.3/xcf/readable', 'GeneratedType'),
    )) {
      const n = g.getAttribute('name') ?? '';
      if (!n.endsWith(`.${o.name}`)) problems.push(`${o.kind}.${o.name}: generated type ${n}`);
    }
  }
  const seen = new Map<string, string>();
  for (const f of all.filter((p) => p.endsWith('.xml'))) {
    for (const id of readFileSync(f, 'utf8').match(GUID) ?? []) {
      const g = id.toLowerCase();
      if (g === PLACEHOLDER || FIXED_IDS.has(g)) continue;
      const other = seen.get(g);
      if (other) problems.push(`uuid ${g} appears in ${relative(dir, other)} and ${relative(dir, f)}`);
      seen.set(g, f);
    }
  }

  // Type references and rights name objects of the dump.
  for (const f of all.filter((p) => p.endsWith('.xml'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/cfg:(\w+)Ref\.([\wА-Яа-яЁё]+)/gu))
      if (!byRef.has(`${m[1]}.${m[2]}`)) problems.push(`${relative(dir, f)} refers to ${m[1]}.${m[2]}`);
  }
  for (const f of all.filter((p) => p.endsWith('Rights.xml'))) {
    const doc = parse(f);
    for (const o of Array.from(doc.getElementsByTagName('object'))) {
      const name = text(o, 'name') ?? '';
      if (!byRef.has(name))
        problems.push(`${relative(dir, f)} gives rights on ${name}, not in the extension`);
      for (const r of kids(o, 'right'))
        if (!['Read', 'Insert', 'Update'].includes(text(r, 'name') ?? ''))
          problems.push(`${name}: right ${text(r, 'name')}`);
    }
  }

  // The exchange plan records the adopted objects of the dump, with AutoRecord.
  const content = parse(join(dir, 'ExchangePlans', 'svk_Изменения', 'Ext', 'Content.xml'));
  for (const item of Array.from(content.getElementsByTagName('Item'))) {
    const ref = text(item, 'Metadata') ?? '';
    if (!byRef.get(ref)?.adopted) problems.push(`svk_Изменения content names ${ref}, not an adopted object`);
    if (text(item, 'AutoRecord') !== 'Allow') problems.push(`svk_Изменения: ${ref} without AutoRecord`);
  }

  // Modules: every common module has its code; handlers and the job method exist.
  const modules = new Map<string, Map<string, number>>();
  for (const o of objects.filter((x) => x.kind === 'CommonModule'))
    modules.set(o.name, exported(bsl(dir, join('CommonModules', o.name, 'Ext', 'Module.bsl'))));
  const service = objects.find((o) => o.kind === 'HTTPService');
  if (service) {
    const source = bsl(dir, join('HTTPServices', service.name, 'Ext', 'Module.bsl'));
    for (const h of Array.from(service.root.getElementsByTagNameNS(MD, 'Handler'))) {
      const name = h.textContent ?? '';
      const m = new RegExp(
        `^Функция ${name}\\(Запрос\\)\\s*\\n\\s*Возврат svk_Лента\\.([\\wА-Яа-яЁё]+)\\(Запрос\\);`,
        'mu',
      ).exec(source);
      if (!m) problems.push(`HTTP handler ${name} is not a one-line call into svk_Лента`);
      else if (modules.get('svk_Лента')?.get(m[1]) !== 1)
        problems.push(`svk_Лента.${m[1]}(Запрос) is not exported`);
    }
  }
  for (const o of objects.filter((x) => x.kind === 'ScheduledJob')) {
    const method = text(kids(kids(o.root)[0], 'Properties')[0], 'MethodName') ?? '';
    const [, mod, proc] = /^CommonModule\.([^.]+)\.(.+)$/.exec(method) ?? [];
    if (modules.get(mod)?.get(proc) !== 0)
      problems.push(`job ${o.name}: ${method} is not an exported procedure`);
  }
  // Objects named in the code exist in the dump.
  const managers: Record<string, string> = {
    ПланыОбмена: 'ExchangePlan',
    Константы: 'Constant',
    РегистрыСведений: 'InformationRegister',
  };
  for (const f of all.filter((p) => p.endsWith('.bsl'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(
      /(ПланыОбмена|Константы|РегистрыСведений)\.(svk_[\wА-Яа-яЁё]+)/gu,
    ))
      if (!byRef.has(`${managers[m[1]]}.${m[2]}`)) problems.push(`${relative(dir, f)} uses ${m[1]}.${m[2]}`);
  }
  return problems;
}

describe('the SverkaFeed extension dump', () => {
  it('is consistent: parses, distinct uuids, names and references agree across files', () => {
    expect(checkDump(DUMP)).toEqual([]);
  });

  it('has the objects of the protocol', () => {
    const cfg = parse(join(DUMP, 'Configuration.xml'));
    const listed = kids(cfg.getElementsByTagNameNS(MD, 'ChildObjects')[0]).map(
      (e) => `${e.localName}.${e.textContent}`,
    );
    expect(listed.sort()).toEqual(
      [
        'Catalog.КонтактныеЛица',
        'Catalog.Контрагенты',
        'CommonModule.svk_Звонок',
        'CommonModule.svk_Лента',
        'Constant.svk_АдресЗвонка',
        'Constant.svk_СекретЗвонка',
        'Document.ЗаказКлиента',
        'ExchangePlan.svk_Изменения',
        'HTTPService.svk_sverka',
        'InformationRegister.svk_СостояниеЗвонка',
        'Language.Русский',
        'Role.svk_ЛентаИзменений',
        'ScheduledJob.svk_Звонок',
      ].sort(),
    );
    const service = readObject(join(DUMP, 'HTTPServices', 'svk_sverka.xml'));
    expect(service.root.getElementsByTagNameNS(MD, 'RootURL')[0].textContent).toBe('sverka');
    const routes = Array.from(service.root.getElementsByTagNameNS(MD, 'URLTemplate')).map((t) => {
      const props = kids(t, 'Properties')[0];
      const method = kids(kids(kids(t, 'ChildObjects')[0], 'Method')[0], 'Properties')[0];
      return `${text(method, 'HTTPMethod')} ${text(props, 'Template')}`;
    });
    expect(routes).toEqual(['GET /changes', 'POST /ack', 'GET /state']);
    const content = parse(join(DUMP, 'ExchangePlans', 'svk_Изменения', 'Ext', 'Content.xml'));
    expect(Array.from(content.getElementsByTagName('Metadata')).map((m) => m.textContent)).toEqual([
      'Catalog.Контрагенты',
      'Catalog.КонтактныеЛица',
      'Document.ЗаказКлиента',
    ]);
    const schedule = parse(join(DUMP, 'ScheduledJobs', 'svk_Звонок', 'Ext', 'Schedule.xml'));
    expect(schedule.getElementsByTagName('Schedule')[0].getAttribute('RepeatPeriodInDay')).toBe('5');
    const secret = readObject(join(DUMP, 'Constants', 'svk_СекретЗвонка.xml'));
    expect(secret.root.getElementsByTagNameNS(MD, 'PasswordMode')[0].textContent).toBe('true');
  });

  it('ships adopted objects unbound (the placeholder uuid) for the bind tool', () => {
    const adopted = files(DUMP)
      .filter((p) => p.endsWith('.xml') && relative(DUMP, p).split(/[\\/]/).length === 2)
      .map(readObject)
      .filter((o) => o.adopted);
    expect(adopted.map((o) => [o.kind, o.name, o.extended])).toEqual(
      expect.arrayContaining([
        ['Catalog', 'Контрагенты', PLACEHOLDER],
        ['Catalog', 'КонтактныеЛица', PLACEHOLDER],
        ['Document', 'ЗаказКлиента', PLACEHOLDER],
        ['Language', 'Русский', PLACEHOLDER],
      ]),
    );
    expect(adopted).toHaveLength(4);
  });

  it('shares its protocol constants with Sverka: node code, limits, signature header', () => {
    const feed = bsl(DUMP, join('CommonModules', 'svk_Лента', 'Ext', 'Module.bsl'));
    const bell = bsl(DUMP, join('CommonModules', 'svk_Звонок', 'Ext', 'Module.bsl'));
    const returned = (fn: string) =>
      new RegExp(`Функция ${fn}\\(\\) Экспорт\\s*\\n\\s*Возврат ([^;]+);`, 'u').exec(feed)?.[1];
    expect(returned('КодУзла')).toBe(`"${FEED_NODE}"`);
    expect(returned('ЛимитПоУмолчанию')).toBe(String(DEFAULT_FEED_LIMIT));
    expect(returned('НаибольшийЛимит')).toBe(String(MAX_FEED_LIMIT));
    expect(bell).toContain('Заголовки.Вставить("X-Sverka-Signature", Подпись);');
    expect(bell).toContain(
      'Возврат "sha256=" + НРег(ПолучитьHexСтрокуИзДвоичныхДанных(HMACSHA256(Ключ, Данные)));',
    );
  });
});

describe('bind-extension (integrations/1c/tools)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'svk-bind-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  function baseObject(folder: string, kind: string, name: string, uuid: string) {
    mkdirSync(join(tmp, 'base', folder), { recursive: true });
    writeFileSync(
      join(tmp, 'base', folder, `${name}.xml`),
      `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<MetaDataObject xmlns="${MD}" version="2.17">\n\t<${kind} uuid="${uuid}">\n\t\t<Properties>\n\t\t\t<Name>${name}</Name>\n\t\t</Properties>\n\t</${kind}>\n</MetaDataObject>\n`,
    );
  }

  it('puts in the uuids of the main configuration and leaves out what it lacks (БП 3.0 has no ЗаказКлиента)', () => {
    mkdirSync(join(tmp, 'base'), { recursive: true });
    writeFileSync(
      join(tmp, 'base', 'Configuration.xml'),
      `<MetaDataObject xmlns="${MD}"><Configuration/></MetaDataObject>`,
    );
    baseObject('Languages', 'Language', 'Русский', '11111111-1111-4111-8111-111111111111');
    baseObject('Catalogs', 'Catalog', 'Контрагенты', '22222222-2222-4222-8222-222222222222');
    baseObject('Catalogs', 'Catalog', 'КонтактныеЛица', '33333333-3333-4333-8333-333333333333');
    const out = join(tmp, 'out');
    const report = bindExtension({ src: DUMP, base: join(tmp, 'base'), out });
    expect(report.dropped).toEqual([{ kind: 'Document', name: 'ЗаказКлиента' }]);
    expect(report.bound.map((b) => `${b.kind}.${b.name}=${b.uuid}`).sort()).toEqual([
      'Catalog.КонтактныеЛица=33333333-3333-4333-8333-333333333333',
      'Catalog.Контрагенты=22222222-2222-4222-8222-222222222222',
      'Language.Русский=11111111-1111-4111-8111-111111111111',
    ]);
    expect(readObject(join(out, 'Catalogs', 'Контрагенты.xml')).extended).toBe(
      '22222222-2222-4222-8222-222222222222',
    );
    expect(checkDump(out)).toEqual([]);
    expect(readFileSync(join(out, 'Configuration.xml'), 'utf8')).not.toContain('ЗаказКлиента');
    expect(
      readFileSync(join(out, 'ExchangePlans', 'svk_Изменения', 'Ext', 'Content.xml'), 'utf8'),
    ).not.toContain('ЗаказКлиента');
    expect(readFileSync(join(out, 'Roles', 'svk_ЛентаИзменений', 'Ext', 'Rights.xml'), 'utf8')).not.toContain(
      'ЗаказКлиента',
    );
    // The source dump is untouched.
    expect(readObject(join(DUMP, 'Catalogs', 'Контрагенты.xml')).extended).toBe(PLACEHOLDER);
  });

  it('refuses a main configuration without the language or without any synced object', () => {
    mkdirSync(join(tmp, 'base'), { recursive: true });
    writeFileSync(
      join(tmp, 'base', 'Configuration.xml'),
      `<MetaDataObject xmlns="${MD}"><Configuration/></MetaDataObject>`,
    );
    expect(() => bindExtension({ src: DUMP, base: join(tmp, 'base'), out: join(tmp, 'o1') })).toThrow(
      'the main configuration has no language Русский: the extension cannot be bound',
    );
    baseObject('Languages', 'Language', 'Русский', '11111111-1111-4111-8111-111111111111');
    expect(() => bindExtension({ src: DUMP, base: join(tmp, 'base'), out: join(tmp, 'o2') })).toThrow(
      'none of the synced objects exists in the main configuration: nothing to feed',
    );
    expect(() => bindExtension({ src: DUMP, base: join(tmp, 'nothing'), out: join(tmp, 'o3') })).toThrow(
      /no Configuration.xml/,
    );
  });
});
