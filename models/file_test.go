package models

import (
	"reflect"
	"testing"
)

// TestMergeFiles: a file listed again fills in what it lacked (an id, a
// bucket, a kind, a size) without being listed twice; files with
// different ids, paths or URLs stay apart; the old list is never changed.
func TestMergeFiles(t *testing.T) {
	have := JSONList[File]{{Path: "p/a"}, {URL: "https://x/b", ID: "b1"}}
	before := append(JSONList[File](nil), have...)
	got := mergeFiles(have, []File{
		{Path: "p/a", Kind: "audio", Size: 42, Bucket: "bk"},
		{URL: "https://x/b", ID: "b2"},
		{URL: "https://x/b"},
		{},
		{Path: "p/c"},
	})
	want := JSONList[File]{{Path: "p/a", Kind: "audio", Size: 42, Bucket: "bk"}, {URL: "https://x/b", ID: "b1"}, {URL: "https://x/b", ID: "b2"}, {Path: "p/c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(have, before) {
		t.Errorf("the old list changed: %+v", have)
	}
}
