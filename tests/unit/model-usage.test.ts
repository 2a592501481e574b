import { describe, expect, it } from 'vitest';
import { trackingUriOf, usageSnippets } from '@/components/models/UsageSnippet';

describe('model usage snippets', () => {
  it('[MODELUI-1] Python and TypeScript load the page’s model URI from the workspace’s tracking URI, with the input example', () => {
    expect(trackingUriOf('http://h:5000/', 'default')).toBe('http://h:5000');
    expect(trackingUriOf('http://h:5000', 'team a')).toBe('http://h:5000/w/team%20a');
    const s = usageSnippets('models:/iris@champion', 'http://h:5000', 'team', '{"inputs": [[1, 2, 3, 4]]}');
    expect(s.python).toContain('mlflow.set_tracking_uri("http://h:5000/w/team")');
    expect(s.python).toContain('mlflow.pyfunc.load_model("models:/iris@champion")');
    expect(s.python).toContain('print(model.predict(model.input_example))');
    expect(s.typescript).toContain('connect({ relay: "http://h:5000", workspace: "team" })');
    expect(s.typescript).toContain('cairn.loadModel("models:/iris@champion")');
    expect(s.typescript).toContain('model.predict({"inputs": [[1, 2, 3, 4]]})');
  });
});
