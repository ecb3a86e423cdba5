import sys, json, subprocess, collections
f = sys.argv[1]; keys = sys.argv[2:]
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", f], capture_output=True, text=True).stdout
ev = json.loads(out)["recording"]["events"]
c = collections.Counter(); n = 0
for e in ev:
    st = e["values"]["stackTrace"]
    if st is None or e["values"]["sampledThread"]["javaName"] != "main": continue
    names = [x["method"]["type"]["name"].split("/")[-1] + "." + x["method"]["name"] + ":" + str(x["lineNumber"]) for x in st["frames"]]
    if not any("JournalReplay" in x for x in names): continue
    n += 1
    for k in keys:
        if any(k in x for x in names): c[k] += 1
print("samples in replay", n)
for k in keys: print("%5d %5.1f%% %s" % (c[k], 100.0*c[k]/n, k))
