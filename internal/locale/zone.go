package locale

import "strings"

// ZoneName is how an editor reads an IANA time zone: «بيروت» for
// Asia/Beirut, from the catalogue's zone_ keys, or the zone's city with
// spaces for the zones it does not name.
func (c *Catalog) ZoneName(id string) string {
	if c.Has("zone_" + id) {
		return c.T("zone_" + id)
	}
	city := id[strings.LastIndex(id, "/")+1:]
	return strings.ReplaceAll(city, "_", " ")
}
