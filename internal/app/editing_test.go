package app_test

// autosaved is the JSON answer of an autosave.
type autosaved struct {
	ID      int64             `json:"id"`
	Version int64             `json:"version"`
	URL     string            `json:"url"`
	Message string            `json:"message"`
	Seen    int64             `json:"seen"`
	Error   string            `json:"error"`
	Fields  map[string]string `json:"fields"`
}
