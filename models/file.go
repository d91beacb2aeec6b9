package models

// File is one output file of a recording or transcription: the provider's
// id for it, where it gives one, its path in storage (in Bucket, when the
// provider names the bucket) and its download URL, and, where the provider
// says, what it holds (Kind: "audio", "video") and its Size in bytes.
type File struct {
	ID     string `json:"id,omitempty"`
	Path   string `json:"path,omitempty"`
	URL    string `json:"url,omitempty"`
	Bucket string `json:"bucket,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// sameFile reports whether f names the file h does: the same path and URL,
// and no two different ids.
func (h File) sameFile(f File) bool {
	return h.Path == f.Path && h.URL == f.URL && (h.ID == f.ID || h.ID == "" || f.ID == "")
}

// filled is h with what f says of the same file and h does not.
func (h File) filled(f File) File {
	fill(&h.ID, f.ID)
	fill(&h.Bucket, f.Bucket)
	fill(&h.Kind, f.Kind)
	if h.Size == 0 {
		h.Size = f.Size
	}
	return h
}

// mergeFiles adds the files not yet listed, keeping the order they came in.
// A file listed again (see sameFile) takes what the new listing says of it
// that the old one did not (an id, a size). It returns a new list, never
// changing the old one.
func mergeFiles(have JSONList[File], add []File) JSONList[File] {
	out := have
	for _, f := range add {
		if f == (File{}) {
			continue
		}
		i := -1
		for j, h := range out {
			if h.sameFile(f) {
				i = j
				break
			}
		}
		switch {
		case i < 0:
			out = append(out[:len(out):len(out)], f)
		case out[i].filled(f) != out[i]:
			out = append(JSONList[File](nil), out...)
			out[i] = out[i].filled(f)
		}
	}
	return out
}
