import { DEFAULT_MIX, parseMix, parseSimulationOptions, SimulationUsageError } from './options';

describe('simulate options', () => {
  it('gives the documented defaults', () => {
    const o = parseSimulationOptions([], false);
    expect(o).toMatchObject({ workers: 50, items: 2000, reviewers: 3, chaos: false, api: null, dataset: null });
    expect(o.mix).toEqual(DEFAULT_MIX);
    expect(o.maxAnswersPerItem).toBe(o.answersPerItem + 2);
    expect(o.progress).toBe(false);
    expect(parseSimulationOptions([], true).progress).toBe(true);
    expect(parseSimulationOptions(['--no-progress'], true).progress).toBe(false);
  });

  it('reads the crowd, the dataset files and the APIs', () => {
    const o = parseSimulationOptions(
      ['--workers', '7', '--dataset', 'a.csv,t.csv', '--api', 'http://h:3000/,http://h:3001', '--classes', 'x,y'],
      false,
    );
    expect(o).toMatchObject({
      workers: 7,
      dataset: { answers: 'a.csv', truth: 't.csv' },
      api: ['http://h:3000', 'http://h:3001'],
      classes: ['x', 'y'],
    });
  });

  it('normalises a mix to shares', () => {
    expect(parseMix('good=3,spammer=1')).toEqual({
      good: 0.75,
      careless: 0,
      spammer: 0.25,
      adversarial: 0,
      colluding: 0,
    });
  });

  it.each([
    [['--workers', '1'], /--workers must be a whole number from 2/],
    [['--items', 'many'], /--items/],
    [['--mix', 'good=1,robot=2'], /--mix takes kind=weight/],
    [['--mix', 'good=0'], /at least one kind/],
    [['--classes', 'a,a'], /distinct/],
    [['--reward=0'], /--reward/],
    [['--seeds', '1'], /Unknown option '--seeds'/],
    [['--api', 'localhost:3000'], /--api takes origins/],
    [['--dataset', 'only.csv'], /two files/],
    [['--chaos', '--api', 'http://h:3000'], /--chaos needs a stack of its own/],
  ])('refuses %p', (args, message) => {
    expect(() => parseSimulationOptions(args, false)).toThrow(SimulationUsageError);
    expect(() => parseSimulationOptions(args, false)).toThrow(message);
  });
});
