// The code lock of Erlang's gen_statem guide, in TypeScript: state functions with state
// enter calls, a state timeout that locks the door again, and buttons pressed while the
// door is open postponed until it is locked.
// Run: npx tsx examples/gen-statem.ts
import { after, genStatem, ok, receive, sys, type GenStatem } from 'erlgun';

type State = 'locked' | 'open';
interface Data { readonly code: readonly number[]; readonly buttons: readonly number[] }
type Call = 'code_length';
type Cast = readonly ['button', number];

const sameCode = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

// The callback module: one function per state (callbackMode 'state_functions').
const codeLock: GenStatem<State, Data, Call, number, Cast, unknown, readonly number[]> = {
  callbackMode: 'state_functions',
  stateEnter: true,
  init: (code) => ['ok', 'locked', { code, buttons: [] }],
  states: {
    locked(type, content, data) {
      if (type === 'enter') {
        console.log('locked');
        return ['keep_state', { ...data, buttons: [] }];
      }
      // No button for 30 s: start the code again.
      if (type === 'state_timeout') return ['keep_state', { ...data, buttons: [] }];
      if (type === 'cast') {
        const buttons = [...data.buttons, content[1]].slice(-data.code.length);
        if (sameCode(buttons, data.code)) return ['next_state', 'open', data];
        return ['keep_state', { ...data, buttons }, [['state_timeout', 30_000, 'button']]];
      }
      if (typeof type === 'object') return ['keep_state_and_data', [['reply', type[1], data.code.length]]];
      return 'keep_state_and_data';
    },
    open(type, _content, data) {
      if (type === 'enter') {
        console.log('open');
        return ['keep_state_and_data', [['state_timeout', 100, 'lock']]];
      }
      if (type === 'state_timeout') return ['next_state', 'locked', data];
      // A button pressed while the door is open waits until it is locked again.
      if (type === 'cast') return ['keep_state_and_data', ['postpone']];
      if (typeof type === 'object') return ['keep_state_and_data', [['reply', type[1], data.code.length]]];
      return 'keep_state_and_data';
    },
  },
  terminate: (reason, state) => console.log(`terminate: ${String(reason)} in ${state}`),
};

const lock = ok(genStatem.start(codeLock, [1, 2, 3], { name: 'code_lock' }));
console.log('code length:', await genStatem.call(lock, 'code_length'));
for (const digit of [4, 1, 2, 3]) genStatem.cast(lock, ['button', digit]);
// sys requests are handled in order with the casts: the door is open by now.
console.log('state:', (await sys.getState<[State, Data]>(lock))[0]);
genStatem.cast<Cast>('code_lock', ['button', 9]);
// The state timeout locks the door after 100 ms; the postponed button is then handled.
await receive([], after(150, () => 'ok'));
const [state, data] = await sys.getState<[State, Data]>(lock);
console.log(`state: ${state}, buttons: ${JSON.stringify(data.buttons)}`);
console.log('stopped:', await genStatem.stop(lock));
