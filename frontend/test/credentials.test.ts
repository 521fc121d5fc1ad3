import { describe, expect, it } from 'vitest';
import { forget, fromHash, initialCredentials, remember, remembered } from '../src/client/credentials';
import { MemoryStorage } from './fake-server';

describe('credentials', () => {
  it('reads #code= and #public= links', () => {
    expect(fromHash('#code=98sq-zg8v-8xck-w8e4')).toEqual({ kind: 'code', code: '98SQ-ZG8V-8XCK-W8E4' });
    expect(fromHash('#public=san-pedro-sula-2017')).toEqual({ kind: 'public', meeting: 'san-pedro-sula-2017' });
    expect(fromHash('')).toBeNull();
  });

  it('keeps the code for this tab so that a reload reconnects; the link wins', () => {
    const storage = new MemoryStorage();
    remember(storage, { kind: 'code', code: 'AAAA-BBBB' });
    expect(remembered(storage)).toEqual({ kind: 'code', code: 'AAAA-BBBB' });
    expect(initialCredentials('', storage)).toEqual({ kind: 'code', code: 'AAAA-BBBB' });
    expect(initialCredentials('#code=CCCC', storage)).toEqual({ kind: 'code', code: 'CCCC' });
    forget(storage);
    expect(initialCredentials('', storage)).toBeNull();
  });

  it('ignores a corrupt entry', () => {
    const storage = new MemoryStorage();
    storage.setItem('plenary.credentials', '{not json');
    expect(remembered(storage)).toBeNull();
  });
});
