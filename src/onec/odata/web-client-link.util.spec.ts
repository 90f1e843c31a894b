import {
  metadataNameOf,
  navigationRefOf,
  publicationRootOf,
  webClientUrl,
} from './web-client-link.util.js';

describe('1C web-client links', () => {
  it('reorders the Ref_Key into the navigation ref (storage byte order)', () => {
    // The developer guide's example ref, read back as the Ref_Key OData would show.
    expect(navigationRefOf('3d71007f-8d04-11dc-8ca0-000d8843cd1b')).toBe('8ca0000d8843cd1b11dc8d043d71007f');
    expect(navigationRefOf('A348AA8C-D629-11E5-0A9B-000C295E30EB')).toBe('0a9b000c295e30eb11e5d629a348aa8c');
    expect(navigationRefOf('not-a-guid')).toBeNull();
  });

  it('names the metadata object of an OData set', () => {
    expect(metadataNameOf('Catalog_Контрагенты')).toBe('Справочник.Контрагенты');
    expect(metadataNameOf('Document_ЗаказКлиента')).toBe('Документ.ЗаказКлиента');
    expect(metadataNameOf('AccountingRegister_Хозрасчетный')).toBeNull();
    expect(metadataNameOf('Контрагенты')).toBeNull();
  });

  it('finds the publication root', () => {
    expect(publicationRootOf('https://srv.local/bp30/odata/standard.odata')).toBe('https://srv.local/bp30/');
    expect(publicationRootOf('http://127.0.0.1:8081/bp30/odata/standard.odata/')).toBe('http://127.0.0.1:8081/bp30/');
    expect(publicationRootOf('https://srv.local/bp30/hs/sverka')).toBeNull();
  });

  it('forms the whole link', () => {
    expect(
      webClientUrl(
        'https://srv.local/bp30/odata/standard.odata',
        'Catalog_Контрагенты',
        'a348aa8c-d629-11e5-0a9b-000c295e30eb',
      ),
    ).toBe(
      'https://srv.local/bp30/#e1cib/data/%D0%A1%D0%BF%D1%80%D0%B0%D0%B2%D0%BE%D1%87%D0%BD%D0%B8%D0%BA.%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82%D1%8B?ref=0a9b000c295e30eb11e5d629a348aa8c',
    );
    expect(webClientUrl('https://srv.local/bp30/odata/standard.odata', 'Catalog_Контрагенты', 'x')).toBeNull();
  });
});
